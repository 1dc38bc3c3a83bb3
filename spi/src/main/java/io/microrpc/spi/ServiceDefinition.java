package io.microrpc.spi;

import java.util.Objects;

/**
 * A service implementation to export: its RPC interface, the object that implements it, and how it
 * runs. Immutable.
 */
public final class ServiceDefinition<T> {

    private final Class<T> type;
    private final T implementation;
    private final boolean runOnIoThread;

    private ServiceDefinition(Class<T> type, T implementation, boolean runOnIoThread) {
        this.type = Objects.requireNonNull(type, "type");
        this.implementation = Objects.requireNonNull(implementation, "implementation");
        if (!type.isInterface()) {
            throw new IllegalArgumentException("type: " + type.getName() + " (expected: an interface)");
        }
        if (!type.isInstance(implementation)) {
            throw new IllegalArgumentException("implementation: "
                    + implementation.getClass().getName() + " (expected: an implementation of " + type.getName() + ")");
        }
        this.runOnIoThread = runOnIoThread;
    }

    /** Exports {@code implementation}; calls run on the kernel's worker pool. */
    public static <T> ServiceDefinition<T> of(Class<T> type, T implementation) {
        return new ServiceDefinition<>(type, implementation, false);
    }

    /**
     * The same service running directly on the IO thread that decoded the request: no thread hop,
     * for implementations that never block and finish in microseconds.
     */
    public ServiceDefinition<T> onIoThread() {
        return new ServiceDefinition<>(type, implementation, true);
    }

    public Class<T> type() {
        return type;
    }

    public T implementation() {
        return implementation;
    }

    public boolean runOnIoThread() {
        return runOnIoThread;
    }

    /** The name the service has on the wire: the interface's fully qualified name. */
    public String serviceName() {
        return type.getName();
    }

    @Override
    public String toString() {
        return serviceName() + (runOnIoThread ? "[io-thread]" : "");
    }
}
