package io.microrpc.plugin.registry.zookeeper;

import io.microrpc.spi.PluginConfig;
import io.microrpc.spi.PluginContext;
import io.microrpc.spi.Ticker;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** A {@link PluginContext} for tests: given keys, a data directory, and shared daemon executors. */
final class TestContext implements PluginContext {

    private static final ExecutorService BLOCKING = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-blocking");
        t.setDaemon(true);
        return t;
    });
    private static final ScheduledExecutorService SCHEDULER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "test-scheduler");
        t.setDaemon(true);
        return t;
    });

    private final Path dataDirectory;
    private final Map<String, String> keys;

    private TestContext(Path dataDirectory, Map<String, String> keys) {
        this.dataDirectory = dataDirectory;
        this.keys = keys;
    }

    static TestContext of(Path dataDirectory) {
        return new TestContext(dataDirectory, Map.of());
    }

    /** A copy with one more key (without the {@code registry.zookeeper.} prefix). */
    TestContext with(String key, String value) {
        Map<String, String> k = new LinkedHashMap<>(keys);
        k.put(key, value);
        return new TestContext(dataDirectory, k);
    }

    @Override
    public PluginConfig config() {
        return PluginConfig.of("registry.zookeeper.", keys);
    }

    @Override
    public ScheduledExecutorService scheduler() {
        return SCHEDULER;
    }

    @Override
    public Executor blockingExecutor() {
        return BLOCKING;
    }

    @Override
    public Ticker ticker() {
        return Ticker.system();
    }

    @Override
    public Clock clock() {
        return Clock.systemUTC();
    }

    @Override
    public Path dataDirectory() {
        return dataDirectory;
    }

    @Override
    public String kernelVersion() {
        return "0.1.0";
    }
}
