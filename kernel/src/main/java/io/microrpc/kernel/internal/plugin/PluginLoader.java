package io.microrpc.kernel.internal.plugin;

import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.plugin.PluginReport;
import io.microrpc.spi.Durations;
import io.microrpc.spi.Pluggable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one plugin file into a started {@link Generation}: a private, content-addressed copy (never
 * the watched file), a PF4J manager of its own (PF4J cannot hold two versions of one plugin id in one
 * manager), the {@code Plugin-Requires} check, and each extension started with the plugin's class
 * loader as context loader. Any failure unloads what was loaded and says why.
 *
 * <p>Plugin code never runs on the caller's thread: loading and starting a plugin (its {@code Plugin}
 * class and every extension's {@code start}) runs on a thread of its own, bounded by
 * {@code plugins.start-timeout} as a whole, and so does stopping and unloading it ({@link PluginCalls}).
 * Whatever the plugin throws, {@code Error} included, or a start that does not return in time, fails
 * that plugin only. Used by the plugin lifecycle thread; {@link #abandonAll} from any thread.
 */
final class PluginLoader {

    private static final Logger log = LoggerFactory.getLogger(PluginLoader.class);

    private final Supplier<KernelSettings> settings;
    private final KernelResources resources;
    private final Path cacheDir;
    private final PluginCalls calls = new PluginCalls();

    /** @param settings the settings in force now (extension keys change with the configuration file) */
    PluginLoader(Supplier<KernelSettings> settings, KernelResources resources) {
        this.settings = settings;
        this.resources = resources;
        this.cacheDir = settings.get().dataDir().resolve("plugin-cache");
    }

    /**
     * Loads and starts {@code file}, waiting at most {@code plugins.start-timeout} for the plugin's code.
     *
     * @throws PluginLoadException saying why it cannot run: refused, failed (anything its code threw), or
     *     not started in time (its thread is then abandoned, and what it started is undone if it ever returns)
     */
    Generation load(PluginFile file) throws PluginLoadException {
        Path copy;
        try {
            copy = privateCopy(file);
        } catch (IOException e) {
            throw new PluginLoadException(PluginReport.State.FAILED, "cannot copy it to " + cacheDir + ": " + e, e);
        }
        Duration timeout = settings.get().pluginsStartTimeout();
        try {
            return calls.starting("start-" + file.id, timeout, () -> loadCopy(file, copy), g -> {
                unloadNow(g);
                log.warn(
                        "Plugin {} {}: started after plugins.start-timeout, so it stays FAILED; stopped and unloaded "
                                + "it again",
                        g.id,
                        g.version);
            });
        } catch (ExecutionException e) {
            if (e.getCause() instanceof PluginLoadException p) {
                throw p;
            }
            throw new PluginLoadException(
                    PluginReport.State.FAILED, "loading it failed: " + e.getCause(), e.getCause());
        } catch (PluginCalls.Abandoned a) {
            if (!a.timedOut()) {
                throw new PluginLoadException(
                        PluginReport.State.FAILED, "start abandoned " + a.where() + ": " + a.reason(), a);
            }
            throw new PluginLoadException(
                    PluginReport.State.FAILED,
                    "did not finish starting within plugins.start-timeout "
                            + Durations.format(timeout) + " (stuck " + a.where() + "); its thread " + a.threadName()
                            + " is abandoned. Fix the plugin (or raise plugins.start-timeout if it is only slow); the kernel "
                            + "tries this JAR again when the file is replaced, or at restart",
                    a);
        }
    }

    /** The body of {@link #load}, on the call's own thread. */
    private Generation loadCopy(PluginFile file, Path copy) throws PluginLoadException {
        DefaultPluginManager manager = new DefaultPluginManager(copy.getParent());
        manager.setSystemVersion(resources.kernelVersion());
        String pluginId;
        try {
            pluginId = manager.loadPlugin(copy);
        } catch (Throwable e) {
            throw new PluginLoadException(PluginReport.State.REFUSED, "PF4J cannot load it: " + e.getMessage(), e);
        }
        PluginWrapper wrapper = manager.getPlugin(pluginId);
        if (wrapper.getPluginState() == PluginState.DISABLED) {
            String requires = wrapper.getDescriptor().getRequires();
            unload(manager, pluginId);
            throw new PluginLoadException(
                    PluginReport.State.REFUSED,
                    "requires microrpc " + requires + " but this kernel is " + resources.kernelVersion()
                            + "; use a plugin built for this kernel version",
                    null);
        }
        ClassLoader loader = wrapper.getPluginClassLoader();
        try {
            manager.startPlugin(pluginId);
        } catch (Throwable e) {
            unload(manager, pluginId);
            throw new PluginLoadException(PluginReport.State.FAILED, "its Plugin class failed to start: " + e, e);
        }
        List<LoadedExtension> started = new ArrayList<>();
        Pluggable starting = null;
        try {
            for (Object o : manager.getExtensions(pluginId)) {
                List<ExtensionPoints> points = o instanceof Pluggable ? ExtensionPoints.of((Pluggable) o) : List.of();
                if (points.isEmpty()) {
                    continue;
                }
                starting = (Pluggable) o;
                start(starting, points.get(0), pluginId, settings.get());
                started.add(new LoadedExtension(starting, pluginId, file.version));
                starting = null;
            }
        } catch (Throwable e) {
            // The one that failed may have started part of its work (a server socket, threads): stop it
            // too, before its class loader closes under it.
            if (starting != null) {
                stopNow(starting);
            }
            started.forEach(le -> stopNow(le.extension()));
            unload(manager, pluginId);
            throw new PluginLoadException(PluginReport.State.FAILED, "an extension failed to start: " + e, e);
        }
        if (started.isEmpty()) {
            unload(manager, pluginId);
            throw new PluginLoadException(
                    PluginReport.State.REFUSED,
                    "no microrpc extension found: annotate "
                            + "implementations of io.microrpc.spi points with @org.pf4j.Extension so META-INF/extensions.idx lists them",
                    null);
        }
        return new Generation(
                pluginId,
                file.version,
                file.name,
                file.hash,
                manager,
                loader,
                started,
                resources.ticker().nanoTime());
    }

    /**
     * A new instance of {@code current}'s extension class from {@code generation}'s plugin, started with
     * its configuration in {@code next} (within {@code plugins.start-timeout}): how an extension takes new
     * configuration keys without touching the instance calls are using. The caller publishes it and stops
     * the old one once drained.
     *
     * @throws IllegalArgumentException with the extension's own message when it refuses the configuration,
     *     or saying it did not start in time
     */
    LoadedExtension restart(Generation generation, LoadedExtension current, KernelSettings next) {
        Duration timeout = next.pluginsStartTimeout();
        Pluggable fresh;
        try {
            fresh = calls.starting(
                    "restart-" + generation.id,
                    timeout,
                    () -> {
                        Pluggable created;
                        ClassLoader previous = ContextLoader.enter(current.extension());
                        try {
                            created = generation
                                    .manager
                                    .getExtensionFactory()
                                    .create(current.extension().getClass());
                        } catch (Throwable e) {
                            throw new IllegalArgumentException(
                                    "cannot create a new instance of " + current + ": " + e, e);
                        } finally {
                            ContextLoader.exit(previous);
                        }
                        try {
                            start(created, ExtensionPoints.of(created).get(0), generation.id, next);
                        } catch (Throwable e) {
                            stopNow(created);
                            throw new IllegalArgumentException(
                                    e instanceof Exception && e.getMessage() != null ? e.getMessage() : e.toString(),
                                    e);
                        }
                        return created;
                    },
                    PluginLoader::stopNow);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new IllegalArgumentException(String.valueOf(e.getCause()), e.getCause());
        } catch (PluginCalls.Abandoned a) {
            if (!a.timedOut()) {
                throw new IllegalArgumentException(
                        current + ": restart with the new keys abandoned " + a.where() + ": " + a.reason(), a);
            }
            throw new IllegalArgumentException(
                    current + " did not start with the new keys within plugins.start-timeout "
                            + Durations.format(timeout) + " (stuck " + a.where() + "; its thread " + a.threadName()
                            + " is abandoned)",
                    a);
        }
        return new LoadedExtension(fresh, current.pluginId(), current.pluginVersion());
    }

    private void start(Pluggable ext, ExtensionPoints point, String pluginId, KernelSettings settings)
            throws Exception {
        Path data = settings.dataDir().resolve("plugins").resolve(pluginId);
        Files.createDirectories(data);
        KernelPluginContext context =
                new KernelPluginContext(settings.extensionConfig(point.key(), ext.name()), resources, data);
        ClassLoader previous = ContextLoader.enter(ext);
        try {
            ext.start(context);
        } finally {
            ContextLoader.exit(previous);
        }
    }

    /** Stops the extensions of {@code generation} and unloads it (within {@code plugins.start-timeout}); deletes its private copy. */
    void unload(Generation generation) {
        unloadAll(List.of(generation), List.of(), settings.get().pluginsStartTimeout());
    }

    /** Stops {@code instances} (replaced by new ones of their plugins), each within {@code plugins.start-timeout}. */
    void stop(List<LoadedExtension> instances) {
        unloadAll(List.of(), instances, settings.get().pluginsStartTimeout());
    }

    /**
     * Unloads {@code generations} and stops {@code instances}, all at once on threads of their own, and
     * waits for them at most {@code budget} in all: what has not finished by then is abandoned and named
     * in a warning. Deletes the private copy of each generation that was unloaded.
     */
    void unloadAll(List<Generation> generations, List<LoadedExtension> instances, Duration budget) {
        List<Stopping> running = new ArrayList<>();
        for (Generation g : generations) {
            running.add(new Stopping(g.toString(), g, calls.stopping("stop-" + g.id, () -> {
                unloadNow(g);
                return null;
            })));
        }
        for (LoadedExtension le : instances) {
            running.add(new Stopping(le.toString(), null, calls.stopping("stop-" + le.pluginId(), () -> {
                stopNow(le.extension());
                return null;
            })));
        }
        long deadline = System.nanoTime() + budget.toNanos();
        for (Stopping s : running) {
            try {
                s.call.await(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
                if (s.generation != null) {
                    deleteCopy(s.generation);
                }
            } catch (ExecutionException ex) {
                log.warn("Stopping {} failed", s.what, ex.getCause());
            } catch (PluginCalls.Abandoned a) {
                log.warn(
                        "Plugin {}: stop() {} (stuck {}); its thread {} is abandoned, and what it holds stays until the "
                                + "process exits",
                        s.what,
                        a.timedOut() ? "did not return within " + Durations.format(budget) : "abandoned",
                        a.where(),
                        a.threadName(),
                        a);
            }
        }
    }

    /** A generation being unloaded, or (generation null) an instance being stopped. */
    private record Stopping(String what, Generation generation, PluginCalls.Call<Void> call) {}

    /** For a shutdown: gives up on every start and stop in flight (their waiters return at once), and starts no more plugins. */
    void abandonAll(String reason) {
        calls.abandonAll(reason);
    }

    /** Stops the extensions of {@code generation} and unloads it, on the calling thread. */
    private static void unloadNow(Generation generation) {
        generation.extensions.forEach(le -> stopNow(le.extension()));
        unload(generation.manager, generation.id);
    }

    private void deleteCopy(Generation generation) {
        Path dir = cacheDir.resolve(generation.hash);
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            log.debug("Cannot delete {}", dir, e);
        }
    }

    /**
     * Copies {@code file} to {@code data.dir/plugin-cache/<sha256>/} and returns the copy, which is what
     * PF4J loads. The copy is read again (hash and manifest) and must hold exactly what the scan read,
     * the content {@code plugins.allow} was checked against: a JAR swapped in the folder between that
     * check and this copy is never loaded (no time-of-check/time-of-use gap), and nothing writes the copy
     * afterwards.
     */
    private Path privateCopy(PluginFile file) throws IOException {
        Path dir = cacheDir.resolve(file.hash);
        Files.createDirectories(dir);
        Path target = dir.resolve(file.name);
        if (Files.exists(target) && PluginFile.read(target, null).sameContent(file)) {
            return target; // the same content, still loaded by an earlier generation
        }
        Path tmp = Files.createTempFile(dir, "copy", ".tmp");
        Files.copy(file.path, tmp, StandardCopyOption.REPLACE_EXISTING);
        if (!PluginFile.read(tmp, null).sameContent(file)) {
            Files.deleteIfExists(tmp);
            throw new IOException(
                    file.name + " changed while it was being copied; it is retried once it stays unchanged");
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return target;
    }

    private static void unload(PluginManager manager, String pluginId) {
        try {
            manager.unloadPlugin(pluginId);
        } catch (Throwable e) {
            log.warn("Unloading plugin {} failed", pluginId, e);
        }
    }

    /** Stops {@code e} on the calling thread; logs what it throws, whatever it is. */
    private static void stopNow(Pluggable e) {
        ClassLoader previous = ContextLoader.enter(e);
        try {
            e.stop();
        } catch (Throwable ex) {
            log.warn("Extension {} failed to stop", e.getClass().getName(), ex);
        } finally {
            ContextLoader.exit(previous);
        }
    }
}
