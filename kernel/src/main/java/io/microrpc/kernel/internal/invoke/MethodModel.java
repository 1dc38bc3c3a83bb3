package io.microrpc.kernel.internal.invoke;

import io.microrpc.kernel.internal.metrics.CallMetrics;
import io.microrpc.kernel.internal.metrics.KernelMetrics;
import io.microrpc.spi.MethodDescriptor;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;

/**
 * A method of an RPC interface with what both sides need at call time, computed once: its
 * descriptor, its parameter types as an array, and a method handle that calls it on an
 * implementation without per-call reflection.
 */
final class MethodModel {

    private final MethodDescriptor descriptor;
    private final Class<?>[] parameterTypes;
    private final MethodHandle invoker;
    private final SizeHint requestSize = new SizeHint(128);
    private final SizeHint responseSize = new SizeHint(64);
    /** This method's metrics on the side that uses this model (a model serves one side only). */
    private volatile CallMetrics metrics;

    MethodModel(MethodDescriptor descriptor) {
        this.descriptor = descriptor;
        this.parameterTypes = descriptor.parameterTypes().toArray(new Class<?>[0]);
        this.invoker = invoker(descriptor.method());
    }

    private static MethodHandle invoker(Method method) {
        try {
            method.setAccessible(true);
        } catch (RuntimeException e) {
            // An exported interface of another module; public interfaces do not need it.
        }
        try {
            MethodHandle mh = MethodHandles.lookup().unreflect(method);
            return mh.asSpreader(Object[].class, method.getParameterCount())
                    .asType(MethodType.methodType(Object.class, Object.class, Object[].class));
        } catch (IllegalAccessException e) {
            throw new IllegalArgumentException("cannot call " + method + ": make the interface public", e);
        }
    }

    /** How large this method's request frames are, so they are allocated once at the right size. */
    SizeHint requestSize() {
        return requestSize;
    }

    SizeHint responseSize() {
        return responseSize;
    }

    /** The metrics of this method on {@code side}, looked up once; null when metrics are off. */
    CallMetrics metrics(KernelMetrics all, KernelMetrics.Side side) {
        CallMetrics m = metrics;
        if (m == null) {
            m = all.calls(side, descriptor.service(), descriptor.name());
            metrics = m;
        }
        return m;
    }

    MethodDescriptor descriptor() {
        return descriptor;
    }

    Class<?>[] parameterTypes() {
        return parameterTypes;
    }

    /** Calls the method on {@code target}; throws what the implementation throws. */
    Object invoke(Object target, Object[] args) throws Throwable {
        return (Object) invoker.invokeExact(target, args);
    }
}
