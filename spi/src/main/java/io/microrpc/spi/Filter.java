package io.microrpc.spi;

/**
 * An interceptor around calls: tracing, authentication, metrics, rate limiting, logging. A filter is a
 * {@link ClientFilter}, a {@link ServerFilter}, or both (one class may implement the two); the kernel
 * knows the side from the interface, and each method receives that side's context.
 *
 * <p>Filters are ordered by {@link #order()} (lower first, outermost), then by {@link #name()}, so
 * the order is always the same. A filter calls {@code next.invoke(...)} zero times (to short-circuit)
 * or once, with the same or a changed invocation (e.g. {@link Invocation#withAttachment}), and may
 * transform the returned future.
 *
 * <p>Called concurrently from many threads: on the caller's thread (client side) or a worker thread
 * (server side). Must not block; an exception thrown from a filter fails that call only.
 */
public interface Filter extends Pluggable {

    /** Lower runs first (outermost). */
    default int order() {
        return 0;
    }
}
