package io.microrpc.spi;

import java.util.concurrent.CompletableFuture;

/**
 * An interceptor around calls, on the client side, the server side, or both: tracing, auth, metrics,
 * rate limiting, logging.
 *
 * <p>Filters are ordered by {@link #order()} (lower first, outermost), then by {@link #name()}, so
 * the order is always the same. A filter calls {@code next.invoke(...)} zero times (to short-circuit)
 * or once, with the same or a changed invocation, and may transform the returned future.
 *
 * <p>Called concurrently from many threads: on the caller's thread (client side) or a worker thread
 * (server side). Must not block; an exception thrown from {@link #invoke} fails that call only.
 */
public interface Filter extends Extension {

    /** Where a filter applies. */
    enum Side {
        CLIENT,
        SERVER,
        BOTH;

        public boolean includes(Side side) {
            return this == BOTH || this == side;
        }
    }

    /** Lower runs first (outermost). */
    default int order() {
        return 0;
    }

    default Side side() {
        return Side.BOTH;
    }

    CompletableFuture<Object> invoke(Invocation invocation, Invoker next);
}
