package io.microrpc.spi;

import java.util.concurrent.CompletableFuture;

/**
 * Fault tolerance: decides how one invocation uses the endpoints of a {@link Cluster}: once
 * (failfast), retried on others (failover), several at once (forking), and so on.
 *
 * <p>Without a cluster policy plugin the kernel makes exactly one attempt on one selected endpoint.
 * A policy must decide retries by status: {@link Status.Code#UNAVAILABLE} may go to another endpoint,
 * {@link Status.Code#DEADLINE_EXCEEDED} only when {@link MethodDescriptor#isIdempotent()}, and
 * {@link Status.Code#APPLICATION_ERROR} never.
 *
 * <p>Called on the caller's thread, concurrently; must not block (schedule retries on the context's
 * scheduler).
 */
public interface ClusterPolicy extends Extension {

    CompletableFuture<Object> invoke(Invocation invocation, Cluster cluster);
}
