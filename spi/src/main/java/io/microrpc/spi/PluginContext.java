package io.microrpc.spi;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What the kernel hands an extension when it starts: its configuration, the kernel's executors and
 * clocks, and a directory of its own. Implementations are thread-safe.
 */
public interface PluginContext {

    /** The configuration keys addressed to this extension. */
    PluginConfig config();

    /**
     * A shared scheduler for short, non-blocking periodic tasks. The kernel owns it: do not shut it
     * down; cancel your tasks in {@link Pluggable#stop}.
     */
    ScheduledExecutorService scheduler();

    /** An executor for work that may block (I/O with a registry, file writes). */
    Executor blockingExecutor();

    /** Monotonic time for durations and deadlines; a fake in tests. */
    Ticker ticker();

    /** Wall-clock time for timestamps that leave the process (e.g. a provider's start time). */
    Clock clock();

    /** A directory this extension may write to; it exists and survives restarts. */
    Path dataDirectory();

    /** The version of the running kernel, e.g. {@code 0.1.0}. */
    String kernelVersion();
}
