package io.microrpc.spi;

import java.util.List;

/**
 * Service discovery: providers register their instances; consumers subscribe to a service and are
 * told its provider list whenever it changes.
 *
 * <p>Thread-safe. {@link #register} and {@link #unregister} may block (they talk to the registry) and
 * are called on a kernel thread, never an IO thread. Listeners are called on the registry's own
 * notification thread, one notification at a time per subscription, and must not block.
 */
public interface Registry extends Pluggable {

    void register(ServiceInstance instance) throws Exception;

    void unregister(ServiceInstance instance) throws Exception;

    /**
     * Subscribes to the providers of {@code service}. The listener receives the full current list
     * soon after subscribing and after every change.
     */
    Subscription subscribe(String service, Listener listener);

    /**
     * This registry is no longer the active one: another registry, or a newer version of this one, has
     * registered the kernel's instances and taken over its subscriptions. From now on it must not write
     * registrations again (for example after a reconnection), or it would fight its successor over the
     * same entries; what it already registered goes when {@link #stop()} ends it, once its calls have
     * drained. Called once, on a kernel thread. The default does nothing.
     */
    default void retire() {}

    /** Receives full provider lists. */
    @FunctionalInterface
    interface Listener {
        void onProviders(List<ServiceInstance> providers);
    }

    /** Ends one subscription. Idempotent. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
