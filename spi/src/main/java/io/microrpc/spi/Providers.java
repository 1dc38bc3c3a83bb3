package io.microrpc.spi;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The providers of one call's service, as its {@link ClusterPolicy} uses them: the current candidates,
 * the active load balancer's choice, and one attempt on one endpoint. Bound to one call. Thread-safe.
 */
public interface Providers {

    /** The connected endpoints of the service now; may be empty. */
    List<Endpoint> candidates();

    /**
     * The active load balancer's choice among the candidates not in {@code excluded}. Fails with {@link
     * Status.Code#UNAVAILABLE} ({@link RpcException.Progress#NOT_SENT}) when none is left.
     */
    Endpoint select(Invocation invocation, Collection<Endpoint> excluded) throws RpcException;

    /**
     * Sends {@code invocation} to {@code endpoint} once, through the client filters' {@link
     * ClientFilter#invokeAttempt}; the next attempt number. Fails with {@link Status.Code#CANCELLED}
     * without sending once the call was cancelled.
     */
    CompletableFuture<Object> attempt(Endpoint endpoint, Invocation invocation);

    /** The kernel's monotonic clock. */
    Ticker ticker();
}
