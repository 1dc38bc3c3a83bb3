package io.microrpc.kernel.internal.invoke;

import io.microrpc.kernel.internal.plugin.ContextLoader;
import io.microrpc.spi.Filter;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.Invoker;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs an invocation through an ordered list of filters of one stage (client call, client attempt or
 * server), then the terminal invoker. An exception a filter throws fails that call only.
 */
final class FilterChain {

    /** How a stage calls one of its filters, e.g. {@code ClientFilter::invokeAttempt}. */
    @FunctionalInterface
    interface Stage<F extends Filter, C> {
        CompletableFuture<Object> invoke(F filter, C context, Invocation invocation, Invoker next);
    }

    private FilterChain() {}

    static <F extends Filter, C> CompletableFuture<Object> invoke(
            List<F> filters, Stage<F, C> stage, C context, Invocation invocation, Invoker terminal) {
        if (filters.isEmpty()) {
            return terminal.invoke(invocation);
        }
        return new Step<>(filters, 0, stage, context, terminal).invoke(invocation);
    }

    private static final class Step<F extends Filter, C> implements Invoker {
        private final List<F> filters;
        private final int index;
        private final Stage<F, C> stage;
        private final C context;
        private final Invoker terminal;

        Step(List<F> filters, int index, Stage<F, C> stage, C context, Invoker terminal) {
            this.filters = filters;
            this.index = index;
            this.stage = stage;
            this.context = context;
            this.terminal = terminal;
        }

        @Override
        public CompletableFuture<Object> invoke(Invocation invocation) {
            if (index == filters.size()) {
                return terminal.invoke(invocation);
            }
            F filter = filters.get(index);
            ClassLoader previous = ContextLoader.enter(filter);
            try {
                CompletableFuture<Object> f = stage.invoke(
                        filter, context, invocation, new Step<>(filters, index + 1, stage, context, terminal));
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
