package io.microrpc.kernel.internal.invoke;

import io.microrpc.spi.AllowedTypes;
import io.microrpc.spi.CallType;
import io.microrpc.spi.Idempotent;
import io.microrpc.spi.MethodDescriptor;
import io.microrpc.spi.OneWay;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * An RPC interface as the kernel uses it: its wire name, its methods by wire name and by
 * {@link Method}, and the types its payloads may contain. Built once per interface; immutable.
 */
public final class ServiceModel {

    private final Class<?> type;
    private final String name;
    private final Map<String, MethodModel> byName;
    private final Map<Method, MethodModel> byMethod;
    private final AllowedTypes allowedTypes;

    private ServiceModel(
            Class<?> type,
            Map<String, MethodModel> byName,
            Map<Method, MethodModel> byMethod,
            AllowedTypes allowedTypes) {
        this.type = type;
        this.name = type.getName();
        this.byName = byName;
        this.byMethod = byMethod;
        this.allowedTypes = allowedTypes;
    }

    /**
     * Builds the model of {@code type}, refusing what the protocol cannot carry: a class instead of an
     * interface, overloaded method names, a one-way method that returns something.
     */
    public static ServiceModel of(Class<?> type, List<Class<?>> extraAllowedTypes) {
        if (!type.isInterface()) {
            throw new IllegalArgumentException("service type: " + type.getName() + " (expected: an interface)");
        }
        Map<String, MethodModel> byName = new HashMap<>();
        Map<Method, MethodModel> byMethod = new HashMap<>();
        boolean allIdempotent = type.isAnnotationPresent(Idempotent.class);
        for (Method m : type.getMethods()) {
            if (m.isDefault() || Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            if (byName.containsKey(m.getName())) {
                throw new IllegalArgumentException(type.getName() + " overloads method '" + m.getName()
                        + "' (expected: unique method names; the wire identifies a method by name)");
            }
            MethodModel model = new MethodModel(describe(type.getName(), m, allIdempotent));
            byName.put(m.getName(), model);
            byMethod.put(m, model);
        }
        return new ServiceModel(
                type, Map.copyOf(byName), Map.copyOf(byMethod), AllowedTypeScanner.scan(type, extraAllowedTypes));
    }

    private static MethodDescriptor describe(String service, Method m, boolean allIdempotent) {
        CallType callType = CallType.SYNC;
        Class<?> returnType = m.getReturnType();
        Type genericReturn = m.getGenericReturnType();
        if (m.isAnnotationPresent(OneWay.class)) {
            if (returnType != void.class) {
                throw new IllegalArgumentException(service + '.' + m.getName() + " is @OneWay but returns "
                        + returnType.getName() + " (expected: void)");
            }
            callType = CallType.ONE_WAY;
        } else if (returnType == CompletableFuture.class) {
            callType = CallType.ASYNC;
            if (genericReturn instanceof ParameterizedType) {
                genericReturn = ((ParameterizedType) genericReturn).getActualTypeArguments()[0];
                returnType = rawType(genericReturn);
            } else {
                genericReturn = Object.class;
                returnType = Object.class;
            }
        }
        boolean idempotent = allIdempotent || m.isAnnotationPresent(Idempotent.class);
        return new MethodDescriptor(
                service, m, List.of(m.getParameterTypes()), returnType, genericReturn, callType, idempotent);
    }

    private static Class<?> rawType(Type t) {
        if (t instanceof Class) {
            return (Class<?>) t;
        }
        if (t instanceof ParameterizedType) {
            return (Class<?>) ((ParameterizedType) t).getRawType();
        }
        return Object.class;
    }

    public Class<?> type() {
        return type;
    }

    public String name() {
        return name;
    }

    MethodModel method(String wireName) {
        return byName.get(wireName);
    }

    MethodModel method(Method method) {
        return byMethod.get(method);
    }

    public Set<String> methodNames() {
        return byName.keySet();
    }

    public AllowedTypes allowedTypes() {
        return allowedTypes;
    }
}
