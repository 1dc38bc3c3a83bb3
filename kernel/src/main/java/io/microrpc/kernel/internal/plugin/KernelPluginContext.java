package io.microrpc.kernel.internal.plugin;

import io.microrpc.spi.PluginConfig;
import io.microrpc.spi.PluginContext;
import io.microrpc.spi.Ticker;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/** The {@link PluginContext} the kernel hands one extension. Immutable. */
public final class KernelPluginContext implements PluginContext {

    private final PluginConfig config;
    private final KernelResources resources;
    private final Path dataDirectory;

    public KernelPluginContext(PluginConfig config, KernelResources resources, Path dataDirectory) {
        this.config = config;
        this.resources = resources;
        this.dataDirectory = dataDirectory;
    }

    @Override
    public PluginConfig config() {
        return config;
    }

    @Override
    public ScheduledExecutorService scheduler() {
        return resources.scheduler();
    }

    @Override
    public Executor blockingExecutor() {
        return resources.blockingExecutor();
    }

    @Override
    public Ticker ticker() {
        return resources.ticker();
    }

    @Override
    public Clock clock() {
        return resources.clock();
    }

    @Override
    public Path dataDirectory() {
        return dataDirectory;
    }

    @Override
    public String kernelVersion() {
        return resources.kernelVersion();
    }
}
