package io.microrpc.kernel.internal.plugin;

import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.plugin.PluginReport;
import io.microrpc.spi.Extension;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the plugin JARs of the plugins folder through PF4J and starts their extensions.
 *
 * <p>Each JAR is first copied to a private, content-addressed file under the data directory and
 * loaded from there, never from the watched file, so a JAR being replaced in the folder cannot change
 * under a running class loader. Each plugin gets its own PF4J manager: PF4J cannot hold two plugins
 * of the same id in one manager, which a later in-place replacement needs.
 *
 * <p>A JAR that cannot be used (not a zip, no plugin manifest, incompatible {@code Plugin-Requires},
 * a duplicate id, no extensions, an extension that throws on start) is reported by name with the
 * reason and skipped; the kernel starts anyway. All PF4J calls happen under this object's lock: PF4J
 * managers are not thread-safe.
 */
public final class PluginHost implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PluginHost.class);

    private final KernelSettings settings;
    private final KernelResources resources;
    private final Path cacheDir;
    private final List<PluginReport> reports = new ArrayList<>();
    private final Map<String, LoadedPlugin> plugins = new LinkedHashMap<>();

    public PluginHost(KernelSettings settings, KernelResources resources) {
        this.settings = settings;
        this.resources = resources;
        this.cacheDir = settings.dataDir().resolve("plugin-cache");
    }

    /** Loads every plugin JAR of the plugins folder, in name order. A missing folder loads nothing. */
    public synchronized List<PluginReport> loadAll() {
        Path dir = settings.pluginsDir();
        if (!Files.isDirectory(dir)) {
            log.warn("Plugins folder {} does not exist; no plugins loaded", dir.toAbsolutePath());
            return List.copyOf(reports);
        }
        TreeSet<Path> jars = new TreeSet<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                if (isPluginFileName(p.getFileName().toString()) && Files.isRegularFile(p)) {
                    jars.add(p);
                }
            }
        } catch (IOException e) {
            log.error("Cannot list plugins folder {}", dir.toAbsolutePath(), e);
        }
        for (Path jar : jars) {
            PluginReport report = load(jar);
            reports.add(report);
            if (report.isStarted()) {
                log.info("Plugin {} {} from {}: {}", report.pluginId(), report.version(), report.file(), report.extensions());
            } else {
                log.warn("Plugin JAR {} skipped: {}", report.file(), report.reason());
            }
        }
        return List.copyOf(reports);
    }

    /** True for names the folder scan considers: {@code *.jar}, not hidden, not temporary. */
    public static boolean isPluginFileName(String name) {
        return name.endsWith(".jar") && !name.startsWith(".");
    }

    public synchronized List<PluginReport> reports() {
        return List.copyOf(reports);
    }

    /** Every started extension of every loaded plugin. */
    public synchronized List<LoadedExtension> extensions() {
        List<LoadedExtension> out = new ArrayList<>();
        plugins.values().forEach(p -> out.addAll(p.extensions));
        return out;
    }

    private PluginReport load(Path jar) {
        String file = jar.getFileName().toString();
        Manifest manifest;
        try (JarFile jf = new JarFile(jar.toFile())) {
            manifest = jf.getManifest();
        } catch (IOException e) {
            return PluginReport.failed(file, null, null, PluginReport.State.REFUSED,
                    "not a readable JAR (" + e.getMessage() + "); replace it with a complete plugin JAR");
        }
        String id = manifest == null ? null : manifest.getMainAttributes().getValue("Plugin-Id");
        String version = manifest == null ? null : manifest.getMainAttributes().getValue("Plugin-Version");
        if (id == null || id.isBlank() || version == null || version.isBlank()) {
            return PluginReport.failed(file, id, version, PluginReport.State.REFUSED,
                    "not a microrpc plugin: META-INF/MANIFEST.MF needs Plugin-Id and Plugin-Version");
        }
        LoadedPlugin same = plugins.get(id);
        if (same != null) {
            return PluginReport.failed(file, id, version, PluginReport.State.REFUSED, "plugin id '" + id
                    + "' is already loaded from " + same.file + " (version " + same.version + "); remove one of the two JARs");
        }
        Path copy;
        try {
            copy = privateCopy(jar);
        } catch (IOException e) {
            return PluginReport.failed(file, id, version, PluginReport.State.FAILED, "cannot copy to " + cacheDir + ": " + e);
        }
        DefaultPluginManager manager = new DefaultPluginManager(copy.getParent());
        manager.setSystemVersion(resources.kernelVersion());
        String pluginId;
        try {
            pluginId = manager.loadPlugin(copy);
        } catch (Exception | LinkageError e) {
            return PluginReport.failed(file, id, version, PluginReport.State.REFUSED, "PF4J cannot load it: " + e.getMessage());
        }
        PluginWrapper wrapper = manager.getPlugin(pluginId);
        if (wrapper.getPluginState() == PluginState.DISABLED) {
            String requires = wrapper.getDescriptor().getRequires();
            unload(manager, pluginId);
            return PluginReport.failed(file, id, version, PluginReport.State.REFUSED, "requires microrpc " + requires
                    + " but this kernel is " + resources.kernelVersion() + "; use a plugin build for this kernel version");
        }
        try {
            manager.startPlugin(pluginId);
        } catch (Exception | LinkageError e) {
            unload(manager, pluginId);
            log.warn("Plugin {} failed to start", pluginId, e);
            return PluginReport.failed(file, id, version, PluginReport.State.FAILED, "its Plugin class failed to start: " + e);
        }
        List<LoadedExtension> started = new ArrayList<>();
        List<String> described = new ArrayList<>();
        try {
            for (Object o : manager.getExtensions(pluginId)) {
                if (!(o instanceof Extension)) {
                    continue;
                }
                Extension ext = (Extension) o;
                List<ExtensionPoints> points = ExtensionPoints.of(ext);
                if (points.isEmpty()) {
                    continue;
                }
                startExtension(ext, points.get(0), pluginId, wrapper.getPluginClassLoader());
                started.add(new LoadedExtension(ext, pluginId, version));
                points.forEach(p -> described.add(p.key() + ':' + ext.name()));
            }
        } catch (Exception | LinkageError e) {
            started.forEach(le -> stopQuietly(le.extension()));
            unload(manager, pluginId);
            log.warn("Plugin {} failed to start", pluginId, e);
            return PluginReport.failed(file, id, version, PluginReport.State.FAILED, "an extension failed to start: " + e);
        }
        if (started.isEmpty()) {
            unload(manager, pluginId);
            return PluginReport.failed(file, id, version, PluginReport.State.REFUSED, "no microrpc extension found: annotate "
                    + "implementations of io.microrpc.spi points with @org.pf4j.Extension so META-INF/extensions.idx lists them");
        }
        plugins.put(id, new LoadedPlugin(file, id, version, manager, started));
        return new PluginReport(file, id, version, PluginReport.State.STARTED, described, null);
    }

    private void startExtension(Extension ext, ExtensionPoints point, String pluginId, ClassLoader loader) throws Exception {
        Path data = settings.dataDir().resolve("plugins").resolve(pluginId);
        Files.createDirectories(data);
        KernelPluginContext context = new KernelPluginContext(
                settings.extensionConfig(point.key(), ext.name()), resources, data);
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(loader);
        try {
            ext.start(context);
        } finally {
            t.setContextClassLoader(previous);
        }
    }

    private Path privateCopy(Path jar) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(jar), sha)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        String hash = HexFormat.of().formatHex(sha.digest()).substring(0, 24);
        Path dir = cacheDir.resolve(hash);
        Files.createDirectories(dir);
        Path target = dir.resolve(jar.getFileName().toString());
        if (!Files.exists(target)) {
            Path tmp = Files.createTempFile(dir, "copy", ".tmp");
            Files.copy(jar, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        }
        return target;
    }

    private static void unload(PluginManager manager, String pluginId) {
        try {
            manager.unloadPlugin(pluginId);
        } catch (Exception e) {
            log.debug("Unloading {} failed", pluginId, e);
        }
    }

    private static void stopQuietly(Extension e) {
        try {
            e.stop();
        } catch (Exception | LinkageError ex) {
            log.warn("Extension {} failed to stop", e.name(), ex);
        }
    }

    /** Stops every extension, then every plugin. */
    @Override
    public synchronized void close() {
        for (LoadedPlugin p : plugins.values()) {
            p.extensions.forEach(le -> stopQuietly(le.extension()));
            unload(p.manager, p.id);
        }
        plugins.clear();
    }

    private static final class LoadedPlugin {
        final String file;
        final String id;
        final String version;
        final PluginManager manager;
        final List<LoadedExtension> extensions;

        LoadedPlugin(String file, String id, String version, PluginManager manager, List<LoadedExtension> extensions) {
            this.file = file;
            this.id = id;
            this.version = version;
            this.manager = manager;
            this.extensions = List.copyOf(extensions);
        }
    }
}
