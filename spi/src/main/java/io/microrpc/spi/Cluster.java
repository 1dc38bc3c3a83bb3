package io.microrpc.spi;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What a {@link ClusterPolicy} works with for one reference: the current candidates, the active load
 * balancer, and a way to make exactly one attempt on one endpoint. Thread-safe.
 */
public interface Cluster {

    /** The connected, non-isolated endpoints for this service now; may be empty. */
    List<Endpoint> candidates();

    /**
     * Picks an endpoint for {@code invocation} among the candidates not in {@code excluded}, with the
     * active load balancer. Fails with {@link Status.Code#UNAVAILABLE} when none is left.
     */
    Endpoint select(Invocation invocation, Collection<Endpoint> excluded) throws RpcException;

    /** Sends {@code invocation} to {@code endpoint} once. */
    CompletableFuture<Object> invoke(Endpoint endpoint, Invocation invocation);

    /** The kernel's monotonic clock. */
    Ticker ticker();
}
