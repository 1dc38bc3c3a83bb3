package io.microrpc.kernel.internal.invoke;

import io.microrpc.kernel.internal.plugin.ContextLoader;
import io.microrpc.spi.Filter;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.Invoker;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs an invocation through an ordered list of filters, then the terminal invoker. An exception a
 * filter throws fails that call only.
 */
final class FilterChain {

    private FilterChain() {}

    static CompletableFuture<Object> invoke(List<Filter> filters, Invocation invocation, Invoker terminal) {
        if (filters.isEmpty()) {
            return terminal.invoke(invocation);
        }
        return new Step(filters, 0, terminal).invoke(invocation);
    }

    private static final class Step implements Invoker {
        private final List<Filter> filters;
        private final int index;
        private final Invoker terminal;

        Step(List<Filter> filters, int index, Invoker terminal) {
            this.filters = filters;
            this.index = index;
            this.terminal = terminal;
        }

        @Override
        public CompletableFuture<Object> invoke(Invocation invocation) {
            if (index == filters.size()) {
                return terminal.invoke(invocation);
            }
            Filter filter = filters.get(index);
            ClassLoader previous = ContextLoader.enter(filter);
            try {
                CompletableFuture<Object> f = filter.invoke(invocation, new Step(filters, index + 1, terminal));
                return f != null
                        ? f
                        : CompletableFuture.failedFuture(new IllegalStateException(
                                "filter '" + filter.name() + "' returned null (expected: a future)"));
            } catch (RuntimeException | LinkageError e) {
                return CompletableFuture.failedFuture(e);
            } finally {
                ContextLoader.exit(previous);
            }
        }
    }
}
