package io.microrpc.kernel.internal.plugin;

import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.internal.transport.KernelThreadFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one serialized path through which the kernel changes at runtime: a single kernel thread runs the
 * first load of the plugins folder, the reconciles the folder's watcher triggers (debounced), the
 * reloads of an edited configuration file, the drain checks of retired generations, the collection
 * checks of their class loaders, and finally the stop of every plugin.
 *
 * <p>That thread never runs plugin code that may take long: starts and stops run on threads of their
 * own, bounded by {@code plugins.start-timeout} ({@link PluginLoader}), so a plugin that hangs in
 * {@code start()} delays the changes queued behind it by that much at most. {@link #close} first
 * abandons whatever plugin code is still running, then stops the plugins within {@link #STOP_BUDGET}:
 * a shutdown never waits for a plugin's {@code start()}, whatever it does (hang, or call
 * {@code System.exit}, which runs the shutdown hook while that plugin's thread waits).
 */
public final class PluginLifecycle implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PluginLifecycle.class);
    private static final long DRAIN_POLL_MILLIS = 2;

    /**
     * How long a shutdown waits for the plugins' {@code stop()}, all plugins together (they stop at once,
     * each on a thread of its own); what has not stopped by then is left to the process exit.
     */
    public static final Duration STOP_BUDGET = Duration.ofSeconds(5);

    /** Reads the configuration file again and applies it; throws what the read or the apply refused. */
    @FunctionalInterface
    public interface ConfigReload {
        void reload() throws Exception;
    }

    private final KernelSettings settings;
    private final PluginHost host;
    private final ScheduledThreadPoolExecutor thread;
    private final AtomicBoolean reconcileScheduled = new AtomicBoolean();
    private final AtomicBoolean configScheduled = new AtomicBoolean();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final AtomicBoolean collectScheduled = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile Thread lifecycleThread;
    private volatile FolderWatcher pluginsWatcher;
    private volatile FolderWatcher configWatcher;
    private volatile FolderWatcher pinsWatcher;

    public PluginLifecycle(KernelSettings settings, PluginHost host) {
        this.settings = settings;
        this.host = host;
        this.thread = new ScheduledThreadPoolExecutor(1, new KernelThreadFactory("microrpc-plugin-lifecycle"));
        thread.setRemoveOnCancelPolicy(true);
        // At shutdown, pending debounced reconciles and drain polls are dropped; the stop of the plugins runs.
        thread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        thread.execute(() -> lifecycleThread = Thread.currentThread());
    }

    /**
     * Loads the folder as it is now (on the lifecycle thread; a plugin whose start fails or hangs is
     * reported and skipped), then watches it when {@code plugins.watch} is on.
     */
    public void start() {
        run(() -> host.reconcile(true));
        if (settings.pluginsWatch() && Files.isDirectory(settings.pluginsDir()) && !closing.get()) {
            try {
                pluginsWatcher = new FolderWatcher(settings.pluginsDir(), "microrpc-plugin-watcher", this::changed);
                log.info("Watching {} for plugin changes", settings.pluginsDir().toAbsolutePath());
            } catch (IOException e) {
                log.warn("Cannot watch {}; plugins change only at restart", settings.pluginsDir(), e);
            }
            watchPins();
        }
    }

    /**
     * Watches the folder of the pinning file ({@code plugins.allow}), when there is one: an edit is
     * applied like a change of the plugins folder, by the same debounced reconcile, so a JAR and its pin
     * arriving together make one transition. (Editors and ConfigMaps replace the file rather than write
     * it in place, so the folder is what to watch.)
     */
    private void watchPins() {
        if (settings.pluginsAllow().toString().isEmpty()) {
            return;
        }
        Path file = settings.pluginsAllow().toAbsolutePath();
        try {
            pinsWatcher = new FolderWatcher(file.getParent(), "microrpc-pins-watcher", this::changed);
            log.info("Watching {} for pin changes", file);
        } catch (IOException e) {
            log.warn("Cannot watch {}; pin changes apply at restart or POST /reload", file, e);
        }
    }

    /**
     * Watches {@code file}'s folder and calls {@code reload} on the lifecycle thread once it has been
     * quiet for the debounce time after a change (editors and ConfigMaps replace the file rather than
     * write it in place, so the folder is what to watch).
     */
    public void watchConfig(Path file, ConfigReload reload) {
        Path folder = file.toAbsolutePath().getParent();
        try {
            configWatcher = new FolderWatcher(folder, "microrpc-config-watcher", () -> {
                if (configScheduled.compareAndSet(false, true)) {
                    schedule(
                            () -> reloadConfig(reload),
                            settings.pluginsWatchDebounce().toMillis());
                }
            });
            log.info("Watching {} for configuration changes (live keys apply at once; docs/CONFIGURATION.md)", file);
        } catch (IOException e) {
            log.warn("Cannot watch {}; configuration changes apply at restart or POST /reload", file, e);
        }
    }

    private void reloadConfig(ConfigReload reload) {
        configScheduled.set(false);
        try {
            reload.reload();
        } catch (Throwable e) {
            // Logged by the reload, with the key and the reason; the running configuration stays.
            log.debug("Configuration reload refused", e);
        }
        scheduleDrain();
    }

    /** Something changed in the folder: reconcile once it has been quiet for the debounce time. */
    public void changed() {
        if (reconcileScheduled.compareAndSet(false, true)) {
            schedule(this::reconcile, settings.pluginsWatchDebounce().toMillis());
        }
    }

    /** Reconciles now, on the lifecycle thread, and waits for it. */
    public void reconcileNow() {
        run(() -> {
            reconcile();
            return null;
        });
    }

    /**
     * Runs {@code task} on the lifecycle thread (at once when called from it) and returns its result;
     * its exception is thrown as it is when unchecked.
     *
     * @throws IllegalStateException when the kernel is shutting down
     */
    public <T> T run(Callable<T> task) {
        try {
            if (Thread.currentThread() == lifecycleThread) {
                return task.call();
            }
            T result = thread.submit(task).get();
            scheduleDrain();
            return result;
        } catch (RejectedExecutionException | CancellationException e) {
            throw new IllegalStateException("the kernel is shutting down", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the plugin lifecycle", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void reconcile() {
        reconcileScheduled.set(false);
        try {
            if (host.reconcile(false)) {
                changed();
            }
        } catch (Throwable e) {
            log.error("Applying plugin changes failed; will retry on the next change", e);
        }
        scheduleDrain();
    }

    /** Schedules {@code task} on the lifecycle thread; nothing once it is shutting down. */
    private void schedule(Runnable task, long delayMillis) {
        if (closing.get()) {
            return;
        }
        try {
            thread.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("Plugin lifecycle closed; not scheduling more work");
        }
    }

    private void scheduleDrain() {
        if (drainScheduled.compareAndSet(false, true)) {
            schedule(this::drain, DRAIN_POLL_MILLIS);
        }
    }

    private void drain() {
        drainScheduled.set(false);
        boolean waiting;
        try {
            waiting = host.drainRetired();
        } catch (Throwable e) {
            log.error("Unloading a retired plugin failed", e);
            waiting = false;
        }
        if (waiting) {
            scheduleDrain();
        }
        if (!host.unloadedLoaders().isEmpty() && collectScheduled.compareAndSet(false, true)) {
            schedule(this::checkCollected, 1000);
        }
    }

    private void checkCollected() {
        collectScheduled.set(false);
        try {
            if (host.checkCollected() && collectScheduled.compareAndSet(false, true)) {
                schedule(this::checkCollected, 1000);
            }
        } catch (Throwable e) {
            log.error("Checking the class loaders of unloaded plugins failed", e);
        }
    }

    /**
     * The first step of a shutdown, from any thread, at once: stops watching, starts no plugin code any
     * more, and abandons the starts and stops still running. Idempotent.
     */
    public void beginClose() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        FolderWatcher w = pluginsWatcher;
        if (w != null) {
            w.close();
        }
        w = configWatcher;
        if (w != null) {
            w.close();
        }
        w = pinsWatcher;
        if (w != null) {
            w.close();
        }
        host.beginClose();
    }

    /**
     * Stops every plugin, on the lifecycle thread once the task running there (if any) has ended, and
     * waits for that at most {@link #STOP_BUDGET} plus a second. Never waits for a plugin's start.
     */
    @Override
    public void close() {
        beginClose();
        Future<?> stopped;
        try {
            stopped = thread.submit(() -> host.close(STOP_BUDGET));
        } catch (RejectedExecutionException e) {
            return; // closed before
        }
        thread.shutdown();
        try {
            stopped.get(STOP_BUDGET.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            Thread t = lifecycleThread;
            StackTraceElement[] where = t == null ? new StackTraceElement[0] : t.getStackTrace();
            log.warn(
                    "Shutdown: the plugin lifecycle thread is still busy (at {}); plugins not stopped yet are left to "
                            + "the process exit",
                    where.length > 0 ? where[0] : "?");
        } catch (ExecutionException e) {
            log.warn("Shutdown: stopping the plugins failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Runnable never : thread.shutdownNow()) {
            if (never instanceof Future<?> f) {
                f.cancel(false); // its waiter in run() gets "shutting down"
            }
        }
    }
}
