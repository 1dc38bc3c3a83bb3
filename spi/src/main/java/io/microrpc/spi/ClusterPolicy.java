package io.microrpc.spi;

import java.util.concurrent.CompletableFuture;

/**
 * Fault tolerance: decides how one invocation uses the endpoints of a {@link Cluster}: once
 * (failfast), retried on others (failover), several at once (forking), and so on.
 *
 * <p>Without a cluster policy plugin the kernel makes exactly one attempt on one selected endpoint.
 * A policy must decide retries by how far the failed call got ({@link RpcException#progress()}): a
 * call that was not sent or that the server refused may go to another endpoint whatever the method;
 * one that was sent and lost (it may have run) only when {@link MethodDescriptor#isIdempotent()}; an
 * answered one ({@link Status.Code#APPLICATION_ERROR}, or any status the service returned) never.
 *
 * <p>Called on the caller's thread, concurrently; must not block (schedule retries on the context's
 * scheduler).
 */
public interface ClusterPolicy extends Extension {

    CompletableFuture<Object> invoke(Invocation invocation, Cluster cluster);
}
