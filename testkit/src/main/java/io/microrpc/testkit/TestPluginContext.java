package io.microrpc.testkit;

import io.microrpc.spi.PluginConfig;
import io.microrpc.spi.PluginContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link PluginContext} for tests: a fixed configuration and a fake clock and ticker that move only
 * when the test says so ({@link #setMillis}, {@link #advance}).
 *
 * <p>Thread-safe. The configuration is immutable; time is held in atomics, so a test may move it while
 * other threads read it. There is no scheduler unless the test gives one ({@link #withScheduler}): a
 * load balancer has no business scheduling work, so asking for it fails. The blocking executor runs tasks
 * on the calling thread unless the test gives one ({@link #withBlockingExecutor}), and the data directory
 * is a new temporary directory unless the test gives one ({@link #withDataDirectory}).
 */
public final class TestPluginContext implements PluginContext {

    /** Where the fake wall clock starts: 2024-01-01T00:00:00Z. */
    public static final long START_MILLIS = 1_704_067_200_000L;

    private final PluginConfig config;
    private final AtomicLong millis = new AtomicLong(START_MILLIS);
    private final ManualTicker ticker = ManualTicker.create();
    private final Clock clock = new FakeClock();
    private volatile Path dataDirectory;
    private volatile ScheduledExecutorService scheduler;
    private volatile Executor blockingExecutor = Runnable::run;

    private TestPluginContext(PluginConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /** A context with no configuration keys. */
    public static TestPluginContext empty() {
        return new TestPluginContext(PluginConfig.empty());
    }

    public static TestPluginContext of(PluginConfig config) {
        return new TestPluginContext(config);
    }

    /**
     * A context holding {@code keys} as the extension {@code name} of {@code point} would get them, e.g.
     * {@code forExtension("loadbalancer", "round-robin", Map.of("warmup", "10m"))} for the file line
     * {@code loadbalancer.round-robin.warmup=10m}.
     */
    public static TestPluginContext forExtension(String point, String name, Map<String, String> keys) {
        return new TestPluginContext(PluginConfig.of(point + '.' + name + '.', keys));
    }

    /** As {@link #forExtension(String, String, Map)}, with the keys and values alternating: {@code "retries", "2"}. */
    public static TestPluginContext forExtension(String point, String name, String... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException(
                    "keysAndValues: " + keysAndValues.length + " strings (expected: key, value pairs)");
        }
        Map<String, String> keys = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            keys.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return forExtension(point, name, keys);
    }

    /**
     * Gives the extension {@code scheduler} (the test owns it), for extensions that schedule work, such as
     * a cluster policy's retries after a backoff.
     */
    public TestPluginContext withScheduler(ScheduledExecutorService scheduler) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        return this;
    }

    /**
     * Gives the extension {@code executor} (the test owns it) as its blocking executor, for extensions
     * that must not run blocking work on the calling thread, such as a registry's notifications.
     */
    public TestPluginContext withBlockingExecutor(Executor executor) {
        this.blockingExecutor = Objects.requireNonNull(executor, "executor");
        return this;
    }

    /** Gives the extension {@code directory} (the test owns it, e.g. a JUnit {@code @TempDir}) as its data directory. */
    public TestPluginContext withDataDirectory(Path directory) {
        this.dataDirectory = Objects.requireNonNull(directory, "directory");
        return this;
    }

    /** Sets the wall clock to {@code epochMillis}; the ticker does not move. */
    public TestPluginContext setMillis(long epochMillis) {
        millis.set(epochMillis);
        return this;
    }

    /** Moves the wall clock and the ticker forward by {@code duration}. */
    public TestPluginContext advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException(
                    "duration: " + duration + " (expected: >= 0; monotonic time does not go back)");
        }
        millis.addAndGet(duration.toMillis());
        ticker.advance(duration);
        return this;
    }

    /** The wall clock's current value, in epoch milliseconds. */
    public long millis() {
        return millis.get();
    }

    @Override
    public PluginConfig config() {
        return config;
    }

    @Override
    public ScheduledExecutorService scheduler() {
        ScheduledExecutorService s = scheduler;
        if (s != null) {
            return s;
        }
        throw new UnsupportedOperationException(
                "TestPluginContext has no scheduler; give it one with withScheduler(...). "
                        + "A load balancer must not schedule work (it runs on the caller's thread and reads the kernel's "
                        + "statistics)");
    }

    @Override
    public Executor blockingExecutor() {
        return blockingExecutor;
    }

    /** The context's ticker; {@link #advance} moves it, and so may a test directly. */
    @Override
    public ManualTicker ticker() {
        return ticker;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    /** The directory the test gave, else a temporary directory created on first use. */
    @Override
    public Path dataDirectory() {
        Path dir = dataDirectory;
        if (dir == null) {
            synchronized (this) {
                dir = dataDirectory;
                if (dir == null) {
                    try {
                        dir = Files.createTempDirectory("microrpc-test");
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot create a data directory for the test context", e);
                    }
                    dataDirectory = dir;
                }
            }
        }
        return dir;
    }

    @Override
    public String kernelVersion() {
        return "0.1.0";
    }

    /** A UTC clock reading the context's millisecond counter; {@link #millis()} does not allocate. */
    private final class FakeClock extends Clock {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("the test clock is UTC only");
        }

        @Override
        public long millis() {
            return millis.get();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }
    }
}
