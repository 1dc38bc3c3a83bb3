package io.microrpc.spi;

import java.util.concurrent.CompletableFuture;

/**
 * A filter on the calling side, at two places of a call: around the whole call ({@link #invoke}, once
 * per call, outside the cluster policy: retries happen inside it), and around each attempt ({@link
 * #invokeAttempt}, after the load balancer chose the endpoint, once per attempt). Override either or
 * both; the other passes the call on. A tracing filter, say, opens the call's span in the first and a
 * span per attempt in the second.
 */
public interface ClientFilter extends Filter {

    /** Around the whole call; {@code context.attempt()} is 0 and no endpoint is chosen yet. */
    default CompletableFuture<Object> invoke(ClientRequestContext context, Invocation invocation, Invoker next) {
        return next.invoke(invocation);
    }

    /**
     * Around one attempt on the endpoint {@code context.endpoint()}; what it passes on is what that
     * endpoint receives.
     */
    default CompletableFuture<Object> invokeAttempt(ClientRequestContext context, Invocation invocation, Invoker next) {
        return next.invoke(invocation);
    }
}
