package io.microrpc.kernel.internal.plugin;

import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.internal.transport.KernelThreadFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one serialized path through which plugins change at runtime: a single kernel thread runs the
 * reconciles the watcher triggers (debounced), the drain checks of retired generations, and the
 * collection checks of their class loaders.
 */
public final class PluginLifecycle implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PluginLifecycle.class);
    private static final long DRAIN_POLL_MILLIS = 2;

    private final KernelSettings settings;
    private final PluginHost host;
    private final ScheduledExecutorService thread;
    private final AtomicBoolean reconcileScheduled = new AtomicBoolean();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final AtomicBoolean collectScheduled = new AtomicBoolean();
    private PluginWatcher watcher;

    public PluginLifecycle(KernelSettings settings, PluginHost host) {
        this.settings = settings;
        this.host = host;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, new KernelThreadFactory("microrpc-plugin-lifecycle"));
        executor.setRemoveOnCancelPolicy(true);
        this.thread = executor;
    }

    /** Loads the folder as it is now, then watches it when {@code plugins.watch} is on. */
    public void start() {
        host.reconcile(true);
        if (settings.pluginsWatch() && Files.isDirectory(settings.pluginsDir())) {
            try {
                watcher = new PluginWatcher(settings.pluginsDir(), this::changed);
            } catch (IOException e) {
                log.warn("Cannot watch {}; plugins change only at restart", settings.pluginsDir(), e);
            }
        }
    }

    /** Something changed in the folder: reconcile once it has been quiet for the debounce time. */
    public void changed() {
        if (reconcileScheduled.compareAndSet(false, true)) {
            thread.schedule(this::reconcile, settings.pluginsWatchDebounce().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Reconciles now, on the lifecycle thread, and waits for it. */
    public void reconcileNow() {
        try {
            thread.submit(this::reconcile).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("reconcile failed", e.getCause());
        }
    }

    private void reconcile() {
        reconcileScheduled.set(false);
        try {
            if (host.reconcile(false)) {
                changed();
            }
        } catch (RuntimeException e) {
            log.error("Applying plugin changes failed; will retry on the next change", e);
        }
        scheduleDrain();
    }

    private void scheduleDrain() {
        if (drainScheduled.compareAndSet(false, true)) {
            thread.schedule(this::drain, DRAIN_POLL_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private void drain() {
        drainScheduled.set(false);
        boolean waiting;
        try {
            waiting = host.drainRetired();
        } catch (RuntimeException e) {
            log.error("Unloading a retired plugin failed", e);
            waiting = false;
        }
        if (waiting) {
            scheduleDrain();
        }
        if (!host.unloadedLoaders().isEmpty() && collectScheduled.compareAndSet(false, true)) {
            thread.schedule(this::checkCollected, 1, TimeUnit.SECONDS);
        }
    }

    private void checkCollected() {
        collectScheduled.set(false);
        if (host.checkCollected() && collectScheduled.compareAndSet(false, true)) {
            thread.schedule(this::checkCollected, 1, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        host.close();
    }
}
