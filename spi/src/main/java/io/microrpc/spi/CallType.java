package io.microrpc.spi;

/** How the caller waits for a call. */
public enum CallType {
    /** The proxy method blocks until the result arrives. */
    SYNC,
    /** The proxy method returns a {@link java.util.concurrent.CompletableFuture} at once. */
    ASYNC,
    /** The proxy method returns once the request is written; there is no response. */
    ONE_WAY
}
