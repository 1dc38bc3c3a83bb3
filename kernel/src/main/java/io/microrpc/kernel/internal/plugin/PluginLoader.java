package io.microrpc.kernel.internal.plugin;

import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.plugin.PluginReport;
import io.microrpc.spi.Extension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
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
 */
final class PluginLoader {

    private static final Logger log = LoggerFactory.getLogger(PluginLoader.class);

    private final Supplier<KernelSettings> settings;
    private final KernelResources resources;
    private final Path cacheDir;

    /** @param settings the settings in force now (extension keys change with the configuration file) */
    PluginLoader(Supplier<KernelSettings> settings, KernelResources resources) {
        this.settings = settings;
        this.resources = resources;
        this.cacheDir = settings.get().dataDir().resolve("plugin-cache");
    }

    Generation load(PluginFile file) throws PluginLoadException {
        Path copy;
        try {
            copy = privateCopy(file);
        } catch (IOException e) {
            throw new PluginLoadException(PluginReport.State.FAILED, "cannot copy it to " + cacheDir + ": " + e, e);
        }
        DefaultPluginManager manager = new DefaultPluginManager(copy.getParent());
        manager.setSystemVersion(resources.kernelVersion());
        String pluginId;
        try {
            pluginId = manager.loadPlugin(copy);
        } catch (Exception | LinkageError e) {
            throw new PluginLoadException(PluginReport.State.REFUSED, "PF4J cannot load it: " + e.getMessage(), e);
        }
        PluginWrapper wrapper = manager.getPlugin(pluginId);
        if (wrapper.getPluginState() == PluginState.DISABLED) {
            String requires = wrapper.getDescriptor().getRequires();
            unload(manager, pluginId);
            throw new PluginLoadException(PluginReport.State.REFUSED, "requires microrpc " + requires
                    + " but this kernel is " + resources.kernelVersion() + "; use a plugin built for this kernel version", null);
        }
        ClassLoader loader = wrapper.getPluginClassLoader();
        try {
            manager.startPlugin(pluginId);
        } catch (Exception | LinkageError e) {
            unload(manager, pluginId);
            throw new PluginLoadException(PluginReport.State.FAILED, "its Plugin class failed to start: " + e, e);
        }
        List<LoadedExtension> started = new ArrayList<>();
        Extension starting = null;
        try {
            for (Object o : manager.getExtensions(pluginId)) {
                List<ExtensionPoints> points = o instanceof Extension ? ExtensionPoints.of((Extension) o) : List.of();
                if (points.isEmpty()) {
                    continue;
                }
                starting = (Extension) o;
                start(starting, points.get(0), pluginId, settings.get());
                started.add(new LoadedExtension(starting, pluginId, file.version));
                starting = null;
            }
        } catch (Exception | LinkageError e) {
            // The one that failed may have started part of its work (a server socket, threads): stop it
            // too, before its class loader closes under it.
            if (starting != null) {
                stopQuietly(starting);
            }
            started.forEach(le -> stopQuietly(le.extension()));
            unload(manager, pluginId);
            throw new PluginLoadException(PluginReport.State.FAILED, "an extension failed to start: " + e, e);
        }
        if (started.isEmpty()) {
            unload(manager, pluginId);
            throw new PluginLoadException(PluginReport.State.REFUSED, "no microrpc extension found: annotate "
                    + "implementations of io.microrpc.spi points with @org.pf4j.Extension so META-INF/extensions.idx lists them", null);
        }
        return new Generation(pluginId, file.version, file.name, file.hash, manager, loader, started, resources.ticker().nanoTime());
    }

    /**
     * A new instance of {@code current}'s extension class from {@code generation}'s plugin, started with
     * its configuration in {@code next}: how an extension takes new configuration keys without touching
     * the instance calls are using. The caller publishes it and stops the old one once drained.
     *
     * @throws IllegalArgumentException with the extension's own message when it refuses the configuration
     */
    LoadedExtension restart(Generation generation, LoadedExtension current, KernelSettings next) {
        Extension fresh;
        ClassLoader previous = ContextLoader.enter(current.extension());
        try {
            fresh = generation.manager.getExtensionFactory().create(current.extension().getClass());
        } catch (RuntimeException | LinkageError e) {
            throw new IllegalArgumentException("cannot create a new instance of " + current + ": " + e, e);
        } finally {
            ContextLoader.exit(previous);
        }
        try {
            start(fresh, ExtensionPoints.of(fresh).get(0), generation.id, next);
        } catch (Exception | LinkageError e) {
            stopQuietly(fresh);
            throw new IllegalArgumentException(e.getMessage() != null ? e.getMessage() : e.toString(), e);
        }
        return new LoadedExtension(fresh, current.pluginId(), current.pluginVersion());
    }

    private void start(Extension ext, ExtensionPoints point, String pluginId, KernelSettings settings) throws Exception {
        Path data = settings.dataDir().resolve("plugins").resolve(pluginId);
        Files.createDirectories(data);
        KernelPluginContext context = new KernelPluginContext(settings.extensionConfig(point.key(), ext.name()), resources, data);
        ClassLoader previous = ContextLoader.enter(ext);
        try {
            ext.start(context);
        } finally {
            ContextLoader.exit(previous);
        }
    }

    /** Stops the extensions of {@code generation} and unloads it; deletes its private copy. */
    void unload(Generation generation) {
        generation.extensions.forEach(le -> stopQuietly(le.extension()));
        unload(generation.manager, generation.id);
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

    private Path privateCopy(PluginFile file) throws IOException {
        Path dir = cacheDir.resolve(file.hash);
        Files.createDirectories(dir);
        Path target = dir.resolve(file.name);
        if (!Files.exists(target)) {
            Path tmp = Files.createTempFile(dir, "copy", ".tmp");
            Files.copy(file.path, tmp, StandardCopyOption.REPLACE_EXISTING);
            if (!PluginFile.sha256(tmp).equals(file.hash)) {
                Files.deleteIfExists(tmp);
                throw new IOException(file.name + " changed while it was being copied; it is retried once it stays unchanged");
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        }
        return target;
    }

    private static void unload(PluginManager manager, String pluginId) {
        try {
            manager.unloadPlugin(pluginId);
        } catch (Exception | LinkageError e) {
            log.debug("Unloading {} failed", pluginId, e);
        }
    }

    static void stopQuietly(Extension e) {
        ClassLoader previous = ContextLoader.enter(e);
        try {
            e.stop();
        } catch (Exception | LinkageError ex) {
            log.warn("Extension {} failed to stop", e.name(), ex);
        } finally {
            ContextLoader.exit(previous);
        }
    }
}
