package io.microrpc.plugin.registry.zookeeper;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;

/**
 * The {@code LoggerFactory} of everything in the plugin JAR: the build relocates every reference to
 * {@code org.slf4j.LoggerFactory} in the shaded JAR (ZooKeeper's, Curator's, ours) to this class
 * (plugin-registry-zookeeper/pom.xml). It hands out the application's loggers unchanged, except
 * ZooKeeper's client connection logger, whose warnings about an expected loss of connection (the
 * server closed the socket, refused the connection, did not answer in time) become one INFO line
 * without the stack trace.
 *
 * <p>Why: the client logs that warning with a stack trace each time it loses or fails to get a
 * connection, about once a second while a server is down, and the registry already says so itself,
 * once per outage ({@code Lost the connection to ZooKeeper at ...}). Any other warning of that logger
 * (a packet too large, an unexpected exception) and everything the other loggers say keep their
 * level and stack trace.
 *
 * <p>Outside the shaded JAR (unit tests) nothing refers to this class. Thread-safe.
 */
public final class PluginLoggerFactory {

    /** The logger ZooKeeper's client logs connection failures to. */
    static final String CLIENT_LOGGER = "org.apache.zookeeper.ClientCnxn";
    /** What a server going away or not being there looks like to the client. */
    static final Set<String> CONNECTION_LOSS = Set.of(
            "org.apache.zookeeper.ClientCnxn$EndOfStreamException",
            "org.apache.zookeeper.ClientCnxn$SessionTimeoutException",
            "org.apache.zookeeper.ClientCnxn$SessionExpiredException",
            "java.net.ConnectException",
            "java.net.SocketException");

    /**
     * slf4j's own getLogger(String), found by a name built at run time: a literal class name would be
     * relocated here too.
     */
    private static final MethodHandle GET_LOGGER = realGetLogger();

    private PluginLoggerFactory() {}

    public static Logger getLogger(Class<?> type) {
        return getLogger(type.getName());
    }

    public static Logger getLogger(String name) {
        Logger real;
        try {
            real = (Logger) GET_LOGGER.invokeExact(name);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("slf4j's LoggerFactory.getLogger failed for " + name, e);
        }
        return filtered(name, real);
    }

    /** {@code real}, or for ZooKeeper's client logger, {@code real} without expected connection-loss stack traces. */
    static Logger filtered(String name, Logger real) {
        if (!CLIENT_LOGGER.equals(name)) {
            return real;
        }
        return (Logger) Proxy.newProxyInstance(
                PluginLoggerFactory.class.getClassLoader(), new Class<?>[] {Logger.class}, (proxy, method, args) -> {
                    if (isStringWarn(method, args)) {
                        List<Object> values = arguments(args);
                        if (!values.isEmpty()
                                && values.get(values.size() - 1) instanceof Throwable t
                                && CONNECTION_LOSS.contains(t.getClass().getName())) {
                            values.set(values.size() - 1, t.toString());
                            real.info(args[0] + ": {}", values.toArray());
                            return null;
                        }
                    }
                    if (method.getDeclaringClass() == Object.class) {
                        return switch (method.getName()) {
                            case "equals" -> proxy == args[0];
                            case "hashCode" -> System.identityHashCode(proxy);
                            default -> "filtered " + real;
                        };
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static boolean isStringWarn(Method method, Object[] args) {
        return method.getName().equals("warn")
                && args != null
                && args.length >= 2
                && method.getParameterTypes()[0] == String.class;
    }

    /** The values after the format string, a varargs array spread out. */
    private static List<Object> arguments(Object[] args) {
        List<Object> values = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            if (i == args.length - 1 && args[i] instanceof Object[] varargs) {
                values.addAll(Arrays.asList(varargs));
            } else {
                values.add(args[i]);
            }
        }
        return values;
    }

    private static MethodHandle realGetLogger() {
        String name = String.join(".", "org", "slf4j", "LoggerFactory");
        try {
            Class<?> factory = Class.forName(name, true, Logger.class.getClassLoader());
            return MethodHandles.publicLookup()
                    .findStatic(factory, "getLogger", MethodType.methodType(Logger.class, String.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
