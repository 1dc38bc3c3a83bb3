package io.microrpc.spi;

import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Objects;

/**
 * One method of an RPC interface, as both sides see it. Built once per method by the kernel;
 * immutable.
 *
 * <p>The wire identifies a method by service name and method name, so RPC interfaces may not
 * overload method names.
 */
public final class MethodDescriptor {

    private final String service;
    private final String name;
    private final List<Class<?>> parameterTypes;
    private final Class<?> returnType;
    private final Type genericReturnType;
    private final CallType callType;
    private final boolean idempotent;
    private final Method method;

    public MethodDescriptor(
            String service,
            Method method,
            List<Class<?>> parameterTypes,
            Class<?> returnType,
            Type genericReturnType,
            CallType callType,
            boolean idempotent) {
        this.service = Objects.requireNonNull(service, "service");
        this.method = Objects.requireNonNull(method, "method");
        this.name = method.getName();
        this.parameterTypes = List.copyOf(parameterTypes);
        this.returnType = Objects.requireNonNull(returnType, "returnType");
        this.genericReturnType = Objects.requireNonNull(genericReturnType, "genericReturnType");
        this.callType = Objects.requireNonNull(callType, "callType");
        this.idempotent = idempotent;
    }

    /** The service name, e.g. {@code io.microrpc.demo.api.EchoService}. */
    public String service() {
        return service;
    }

    public String name() {
        return name;
    }

    /** {@code service/name}, as in logs and metrics. */
    public String fullName() {
        return service + '/' + name;
    }

    public List<Class<?>> parameterTypes() {
        return parameterTypes;
    }

    /**
     * The type of the value the call produces: the declared return type, or {@code T} of a method
     * returning {@code CompletableFuture<T>}. {@code void.class} when there is none.
     */
    public Class<?> returnType() {
        return returnType;
    }

    /** The generic form of {@link #returnType()}, e.g. {@code List<User>}. */
    public Type genericReturnType() {
        return genericReturnType;
    }

    public CallType callType() {
        return callType;
    }

    /** True when the method (or its interface) carries {@link Idempotent}. */
    public boolean isIdempotent() {
        return idempotent;
    }

    /** The Java method, e.g. to read annotations in a filter. */
    public Method method() {
        return method;
    }

    @Override
    public String toString() {
        return fullName();
    }
}
