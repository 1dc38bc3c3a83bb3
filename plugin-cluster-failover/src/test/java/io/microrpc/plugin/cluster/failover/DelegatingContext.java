package io.microrpc.plugin.cluster.failover;

import io.microrpc.spi.PluginConfig;
import io.microrpc.spi.PluginContext;
import io.microrpc.spi.Ticker;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/** A test context with a real scheduler (for a retry after a backoff) and everything else from another. */
final class DelegatingContext implements PluginContext {

    private final PluginContext delegate;
    private final ScheduledExecutorService scheduler;

    DelegatingContext(PluginContext delegate, ScheduledExecutorService scheduler) {
        this.delegate = delegate;
        this.scheduler = scheduler;
    }

    @Override
    public PluginConfig config() {
        return delegate.config();
    }

    @Override
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    @Override
    public Executor blockingExecutor() {
        return delegate.blockingExecutor();
    }

    @Override
    public Ticker ticker() {
        return delegate.ticker();
    }

    @Override
    public Clock clock() {
        return delegate.clock();
    }

    @Override
    public Path dataDirectory() {
        return delegate.dataDirectory();
    }

    @Override
    public String kernelVersion() {
        return delegate.kernelVersion();
    }
}
