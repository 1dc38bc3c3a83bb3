package io.microrpc.spi;

import java.util.concurrent.CompletableFuture;

/**
 * A filter on the serving side, around the service implementation. Runs on the thread that runs the
 * implementation (a worker, or the IO thread for a service that opted in), after the arguments were
 * read. A failure it returns without calling {@code next} tells the caller the call did not run when
 * it carries {@link RpcException.Progress#REFUSED} (e.g. a rate limit), so the caller may retry it
 * elsewhere.
 */
public interface ServerFilter extends Filter {

    CompletableFuture<Object> invoke(ServerRequestContext context, Invocation invocation, Invoker next);
}
