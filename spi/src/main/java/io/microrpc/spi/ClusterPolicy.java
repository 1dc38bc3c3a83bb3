package io.microrpc.spi;

import java.util.concurrent.CompletableFuture;

/**
 * Fault tolerance: decides how one call uses the {@link Providers} of its service: once (failfast),
 * retried on others (failover), several at once (forking), and so on.
 *
 * <p>Without a cluster policy plugin the kernel makes exactly one attempt on one selected endpoint.
 * A policy must decide retries by how far the failed attempt got ({@link RpcException#progress()}): an
 * attempt that was not sent or that the server refused may go to another endpoint whatever the method;
 * one that was sent and lost (it may have run) only when {@link MethodDescriptor#isIdempotent()}; an
 * answered one ({@link Status.Code#APPLICATION_ERROR}, or any status the service returned) never; and
 * nothing after the call was cancelled ({@link RequestContext#isCancelled()}).
 *
 * <p>Called on the caller's thread, concurrently; must not block (schedule retries on the plugin
 * context's scheduler).
 */
public interface ClusterPolicy extends Pluggable {

    /**
     * Runs the call. {@code context} is the call's (attempt 0); each {@link Providers#attempt} makes an
     * attempt with its own context.
     */
    CompletableFuture<Object> invoke(ClientRequestContext context, Invocation invocation, Providers providers);
}
