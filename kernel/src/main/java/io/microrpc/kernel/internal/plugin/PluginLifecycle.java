package io.microrpc.kernel.internal.plugin;

import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.internal.transport.KernelThreadFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one serialized path through which the kernel changes at runtime: a single kernel thread runs the
 * reconciles the plugins folder's watcher triggers (debounced), the reloads of an edited configuration
 * file, the drain checks of retired generations, and the collection checks of their class loaders.
 */
public final class PluginLifecycle implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PluginLifecycle.class);
    private static final long DRAIN_POLL_MILLIS = 2;

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
    private volatile Thread lifecycleThread;
    private FolderWatcher pluginsWatcher;
    private FolderWatcher configWatcher;

    public PluginLifecycle(KernelSettings settings, PluginHost host) {
        this.settings = settings;
        this.host = host;
        this.thread = new ScheduledThreadPoolExecutor(1, new KernelThreadFactory("microrpc-plugin-lifecycle"));
        thread.setRemoveOnCancelPolicy(true);
        thread.execute(() -> lifecycleThread = Thread.currentThread());
    }

    /** Loads the folder as it is now, then watches it when {@code plugins.watch} is on. */
    public void start() {
        host.reconcile(true);
        if (settings.pluginsWatch() && Files.isDirectory(settings.pluginsDir())) {
            try {
                pluginsWatcher = new FolderWatcher(settings.pluginsDir(), "microrpc-plugin-watcher", this::changed);
                log.info("Watching {} for plugin changes", settings.pluginsDir().toAbsolutePath());
            } catch (IOException e) {
                log.warn("Cannot watch {}; plugins change only at restart", settings.pluginsDir(), e);
            }
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
                    thread.schedule(() -> reloadConfig(reload), settings.pluginsWatchDebounce().toMillis(), TimeUnit.MILLISECONDS);
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
        } catch (Exception e) {
            // Logged by the reload, with the key and the reason; the running configuration stays.
            log.debug("Configuration reload refused", e);
        }
        scheduleDrain();
    }

    /** Something changed in the folder: reconcile once it has been quiet for the debounce time. */
    public void changed() {
        if (reconcileScheduled.compareAndSet(false, true)) {
            thread.schedule(this::reconcile, settings.pluginsWatchDebounce().toMillis(), TimeUnit.MILLISECONDS);
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
     */
    public <T> T run(Callable<T> task) {
        try {
            if (Thread.currentThread() == lifecycleThread) {
                return task.call();
            }
            T result = thread.submit(task).get();
            scheduleDrain();
            return result;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the plugin lifecycle", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
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
        if (pluginsWatcher != null) {
            pluginsWatcher.close();
        }
        if (configWatcher != null) {
            configWatcher.close();
        }
        ScheduledExecutorService t = thread;
        t.shutdownNow();
        try {
            t.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        host.close();
    }
}
