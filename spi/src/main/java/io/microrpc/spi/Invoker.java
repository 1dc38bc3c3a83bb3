package io.microrpc.spi;

import java.util.concurrent.CompletableFuture;

/**
 * The rest of a call's pipeline, as a filter or cluster policy sees it. The future completes with the
 * call's result, or exceptionally with an {@link RpcException}.
 */
@FunctionalInterface
public interface Invoker {

    CompletableFuture<Object> invoke(Invocation invocation);
}
