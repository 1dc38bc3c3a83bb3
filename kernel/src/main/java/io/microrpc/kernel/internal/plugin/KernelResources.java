package io.microrpc.kernel.internal.plugin;

import io.microrpc.kernel.internal.transport.KernelThreadFactory;
import io.microrpc.spi.Ticker;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The threads and clocks the kernel owns and lends to extensions, so that plugins start no threads of
 * their own. Thread-safe.
 */
public final class KernelResources implements AutoCloseable {

    private static final String VERSION = readVersion();

    private final ScheduledExecutorService scheduler;
    private final ExecutorService blockingExecutor;
    private final Ticker ticker;
    private final Clock clock;

    public KernelResources(Ticker ticker, Clock clock) {
        this.ticker = ticker;
        this.clock = clock;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(new KernelThreadFactory("microrpc-scheduler"));
        this.blockingExecutor = Executors.newCachedThreadPool(new KernelThreadFactory("microrpc-blocking"));
    }

    /** The kernel's version, the one plugins' {@code Plugin-Requires} is checked against. */
    public static String version() {
        return VERSION;
    }

    public String kernelVersion() {
        return VERSION;
    }

    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    public ExecutorService blockingExecutor() {
        return blockingExecutor;
    }

    public Ticker ticker() {
        return ticker;
    }

    public Clock clock() {
        return clock;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        blockingExecutor.shutdown();
        try {
            blockingExecutor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        blockingExecutor.shutdownNow();
    }

    private static String readVersion() {
        try (InputStream in = KernelResources.class.getResourceAsStream("/microrpc-kernel.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "0.0.0");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
