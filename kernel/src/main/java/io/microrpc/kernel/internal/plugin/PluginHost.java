package io.microrpc.kernel.internal.plugin;

import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.plugin.PluginReport;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.pf4j.DefaultVersionManager;
import org.pf4j.VersionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the loaded plugins in line with the plugins folder, at start and whenever the folder changes.
 *
 * <p>{@link #reconcile} rescans the whole folder (so an overflow of watch events loses nothing), waits
 * for changed files to stay unchanged for the debounce time, and then, per plugin id, makes the
 * highest version present the active one:
 * <ul>
 *   <li>a new id is loaded and its extensions become available at once;</li>
 *   <li>a new version (or other content) is loaded and started beside the old one, the extension
 *       snapshot is switched with one atomic write, and the old generation is retired: it is unloaded
 *       once every call that used it has finished (bounded by {@code plugins.drain-timeout});</li>
 *   <li>if the new one fails to load or start, the old one stays active and the failure is reported;</li>
 *   <li>a removed JAR retires its generation; an older version still in the folder takes over.</li>
 * </ul>
 *
 * <p>All PF4J calls happen under this object's lock, on the caller's thread (the kernel's lifecycle
 * thread): PF4J is not thread-safe.
 */
public final class PluginHost implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PluginHost.class);

    /** Called before a new snapshot is published, e.g. to re-export the services of replaced service plugins. */
    @FunctionalInterface
    public interface SwapListener {
        void beforePublish(List<LoadedExtension> next);
    }

    private final KernelSettings settings;
    private final KernelResources resources;
    private final PluginLoader loader;
    private final ExtensionRegistry registry;
    private final List<LoadedExtension> embedded;
    private final SwapListener listener;
    private final VersionManager versions = new DefaultVersionManager();

    private final Map<String, PluginFile> files = new TreeMap<>();
    private final Map<String, long[]> observed = new HashMap<>();
    private final Map<String, PluginReport> reports = new TreeMap<>();
    private final Map<String, Generation> active = new TreeMap<>();
    private final Map<String, String> failedContent = new HashMap<>();
    private final List<Retirement> retirements = new ArrayList<>();
    private Set<String> scanNames = Set.of();
    private boolean missingFolderLogged;
    private boolean closed;

    public PluginHost(KernelSettings settings, KernelResources resources, ExtensionRegistry registry,
                      List<LoadedExtension> embedded, SwapListener listener) {
        this.settings = settings;
        this.resources = resources;
        this.loader = new PluginLoader(settings, resources);
        this.registry = registry;
        this.embedded = List.copyOf(embedded);
        this.listener = listener;
    }

    /** True for names the folder scan considers: {@code *.jar}, not hidden; temporary names end otherwise. */
    public static boolean isPluginFileName(String name) {
        return name.endsWith(".jar") && !name.startsWith(".");
    }

    /**
     * Brings the loaded plugins in line with the folder. With {@code immediate} (at start) every file is
     * taken as it is; otherwise a file must have stayed unchanged for the debounce time.
     *
     * @return true when some file is still changing and another reconcile should follow
     */
    public synchronized boolean reconcile(boolean immediate) {
        if (closed) {
            return false;
        }
        boolean pending = false;
        Map<String, PluginFile> present = new TreeMap<>();
        for (Map.Entry<String, BasicFileAttributes> e : scan().entrySet()) {
            String name = e.getKey();
            BasicFileAttributes a = e.getValue();
            long size = a.size();
            long modified = a.lastModifiedTime().toMillis();
            long now = resources.ticker().nanoTime();
            long[] seen = observed.get(name);
            PluginFile known = files.get(name);
            boolean changing = false;
            if (seen == null || seen[0] != size || seen[1] != modified) {
                observed.put(name, new long[] {size, modified, now});
                changing = !immediate;
            } else if (!immediate && now - seen[2] < settings.pluginsWatchDebounce().toNanos()) {
                changing = true;
            }
            if (changing) {
                // Still being written: keep acting on what it was, until it stays unchanged.
                pending = true;
                if (known != null) {
                    present.put(name, known);
                }
                continue;
            }
            if (known != null && known.size == size && known.modified == modified) {
                present.put(name, known);
                continue;
            }
            try {
                PluginFile read = PluginFile.read(settings.pluginsDir().resolve(name), size, modified);
                files.put(name, read);
                present.put(name, read);
            } catch (IOException ex) {
                pending = true;
                log.debug("Cannot read {} yet", name, ex);
            }
        }
        files.keySet().removeIf(n -> !scanNames.contains(n));
        observed.keySet().removeIf(n -> !scanNames.contains(n));
        reports.keySet().removeIf(n -> !scanNames.contains(n));
        apply(present);
        return pending;
    }

    private Map<String, BasicFileAttributes> scan() {
        Map<String, BasicFileAttributes> out = new TreeMap<>();
        Path dir = settings.pluginsDir();
        if (!Files.isDirectory(dir)) {
            if (!missingFolderLogged) {
                log.warn("Plugins folder {} does not exist; no plugins loaded", dir.toAbsolutePath());
                missingFolderLogged = true;
            }
            scanNames = Set.of();
            return out;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                String name = p.getFileName().toString();
                if (!isPluginFileName(name)) {
                    continue;
                }
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                    if (a.isRegularFile()) {
                        out.put(name, a);
                    }
                } catch (IOException e) {
                    log.debug("{} vanished during the scan", p);
                }
            }
        } catch (IOException e) {
            log.error("Cannot list plugins folder {}", dir.toAbsolutePath(), e);
        }
        scanNames = new HashSet<>(out.keySet());
        return out;
    }

    /** Decides the active file per plugin id among {@code present} and swaps what changed. */
    private void apply(Map<String, PluginFile> present) {
        Map<String, List<PluginFile>> byId = new TreeMap<>();
        for (PluginFile f : present.values()) {
            if (!f.isValid()) {
                report(f, f.report(PluginReport.State.REFUSED, f.invalidReason));
                continue;
            }
            byId.computeIfAbsent(f.id, k -> new ArrayList<>()).add(f);
        }
        Map<String, Generation> next = new LinkedHashMap<>(active);
        List<Generation> retired = new ArrayList<>();
        for (Map.Entry<String, List<PluginFile>> e : byId.entrySet()) {
            String id = e.getKey();
            Generation current = active.get(id);
            List<PluginFile> candidates = ordered(e.getValue(), current);
            boolean chosen = false;
            for (PluginFile f : candidates) {
                PluginFile duplicate = firstWithSameVersion(candidates, f);
                if (duplicate != f) {
                    report(f, f.report(PluginReport.State.REFUSED, "same plugin id '" + id + "' and version " + f.version
                            + " as " + duplicate.name + "; remove one of the two JARs"));
                    continue;
                }
                if (chosen) {
                    report(f, f.report(PluginReport.State.STANDBY, "version " + f.version + " stands by; "
                            + next.get(id).version + " is active"));
                    continue;
                }
                if (current != null && current.hash.equals(f.hash)) {
                    chosen = true;
                    report(f, started(f, current));
                    continue;
                }
                if (f.hash.equals(failedContent.get(f.name))) {
                    continue;
                }
                try {
                    Generation g = loader.load(f);
                    next.put(id, g);
                    if (current != null) {
                        retired.add(current);
                    }
                    chosen = true;
                    report(f, started(f, g));
                } catch (PluginLoadException ex) {
                    failedContent.put(f.name, f.hash);
                    report(f, f.report(ex.state, ex.getMessage()));
                    if (ex.getCause() != null) {
                        log.debug("Loading {} failed", f.name, ex.getCause());
                    }
                }
            }
            if (!chosen && current != null && next.get(id) == current && !present.containsKey(current.file)) {
                next.remove(id);
                retired.add(current);
            }
        }
        for (Generation g : active.values()) {
            if (!byId.containsKey(g.id)) {
                next.remove(g.id);
                retired.add(g);
            }
        }
        failedContent.keySet().removeIf(n -> !present.containsKey(n));
        if (!next.equals(active)) {
            Map<String, Generation> previous = new LinkedHashMap<>(active);
            active.clear();
            active.putAll(next);
            publish();
            for (Generation g : retired) {
                Generation successor = next.get(g.id);
                retire(g, successor);
            }
            logChanges(previous, next);
        }
    }

    /** Highest version first; the active generation's file first among equal versions. */
    private List<PluginFile> ordered(List<PluginFile> files, Generation current) {
        List<PluginFile> out = new ArrayList<>(files);
        out.sort(Comparator.<PluginFile, String>comparing(f -> f.version, this::compareVersions).reversed()
                .thenComparing(f -> current != null && current.file.equals(f.name) ? 0 : 1)
                .thenComparing(f -> f.name));
        return out;
    }

    private static PluginFile firstWithSameVersion(List<PluginFile> ordered, PluginFile f) {
        for (PluginFile o : ordered) {
            if (o.version.equals(f.version)) {
                return o;
            }
        }
        return f;
    }

    private int compareVersions(String a, String b) {
        try {
            return versions.compareVersions(a, b);
        } catch (RuntimeException e) {
            return a.compareTo(b);
        }
    }

    private PluginReport started(PluginFile f, Generation g) {
        List<String> described = new ArrayList<>();
        for (LoadedExtension le : g.extensions) {
            for (ExtensionPoints p : ExtensionPoints.of(le.extension())) {
                described.add(p.key() + ':' + le.name());
            }
        }
        return new PluginReport(f.name, g.id, g.version, PluginReport.State.STARTED, described, null);
    }

    private void report(PluginFile f, PluginReport r) {
        PluginReport previous = reports.put(f.name, r);
        if (r.equals(previous)) {
            return;
        }
        if (r.isStarted() || r.state() == PluginReport.State.STANDBY) {
            log.info("Plugin {}", r);
        } else {
            log.warn("Plugin JAR {} skipped: {}", f.name, r.reason());
        }
    }

    private void publish() {
        List<LoadedExtension> all = new ArrayList<>(embedded);
        for (Generation g : active.values()) {
            all.addAll(g.extensions);
        }
        listener.beforePublish(all);
        registry.publish(all);
    }

    private void logChanges(Map<String, Generation> before, Map<String, Generation> after) {
        for (Map.Entry<String, Generation> e : after.entrySet()) {
            Generation old = before.get(e.getKey());
            if (old == null) {
                log.info("Plugin {} {} added from {}", e.getKey(), e.getValue().version, e.getValue().file);
            }
        }
    }

    /** Unloads {@code g} once every snapshot published before now has drained. */
    private void retire(Generation g, Generation successor) {
        Retirement r = new Retirement(g, successor, registry.replacedSnapshots(), resources.ticker().nanoTime());
        retirements.add(r);
        log.info("Plugin {}: {} -> {}; draining calls of the old generation", g.id, g.version,
                successor == null ? "removed" : successor.version);
    }

    /**
     * Unloads retired generations whose calls have finished, or whose drain timed out. Called by the
     * kernel's lifecycle thread every few milliseconds while retirements are pending.
     *
     * @return true while some retirement is still waiting
     */
    public synchronized boolean drainRetired() {
        long now = resources.ticker().nanoTime();
        for (Retirement r : new ArrayList<>(retirements)) {
            boolean drained = r.snapshots.stream().allMatch(s -> s.leases() <= 0);
            boolean timedOut = now - r.startNanos > settings.pluginsDrainTimeout().toNanos();
            if (!drained && !timedOut) {
                continue;
            }
            retirements.remove(r);
            unloaded++;
            long drainMs = TimeUnit.NANOSECONDS.toMillis(now - r.startNanos);
            loader.unload(r.generation);
            if (timedOut && !drained) {
                log.warn("Plugin {} {}: calls still running after plugins.drain-timeout {}; unloaded anyway",
                        r.generation.id, r.generation.version, settings.pluginsDrainTimeout());
            }
            log.info("Plugin {} {} -> {}: drained in {} ms, unloaded", r.generation.id, r.generation.version,
                    r.successor == null ? "removed" : r.successor.version, drainMs);
            collected.add(new Collection(r.generation.toString(), r.generation.loaderRef(), now, oldCollections()));
        }
        // Drop drained snapshots now: a replaced snapshot kept in a list pins the plugins it references.
        registry.replacedSnapshots();
        return !retirements.isEmpty();
    }

    private final List<Collection> collected = new ArrayList<>();
    private volatile long unloaded;

    /** Generations unloaded so far (replaced, removed or rolled back), for metrics. */
    public long unloadedGenerations() {
        return unloaded;
    }

    /**
     * Reports whether the class loaders of unloaded generations were garbage-collected (a loader that
     * stays reachable is a leak: something still references the plugin). The kernel does not force a
     * collection: a full GC in a busy process is a latency spike for every call (measured: it tripled p99
     * in the swap benchmark). It warns only when an old-generation collection ran after the unload and
     * the loader survived it; otherwise it says after a minute that it could not tell.
     *
     * @return true while some check is still waiting
     */
    public synchronized boolean checkCollected() {
        long now = resources.ticker().nanoTime();
        for (Collection c : new ArrayList<>(collected)) {
            if (c.loader.get() == null) {
                log.info("Plugin {}: old class loader collected", c.generation);
                collected.remove(c);
            } else if (oldCollections() > c.oldCollectionsAtUnload + 1 && now - c.sinceNanos > TimeUnit.SECONDS.toNanos(5)) {
                log.warn("Plugin {}: old class loader still reachable after a full collection; something keeps a "
                        + "reference to the plugin (a thread, a static cache, a shutdown hook)", c.generation);
                collected.remove(c);
            } else if (now - c.sinceNanos > TimeUnit.SECONDS.toNanos(60)) {
                log.info("Plugin {}: old class loader not collected yet, and no full collection ran since it was "
                        + "unloaded; not a leak by itself", c.generation);
                collected.remove(c);
            }
        }
        return !collected.isEmpty();
    }

    /** Old-generation (full or concurrent) collections so far, over all collectors. */
    private static long oldCollections() {
        long n = 0;
        for (java.lang.management.GarbageCollectorMXBean gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            String name = gc.getName();
            if (!name.contains("Young") && !name.contains("Scavenge") && !name.contains("Copy") && !name.contains("ParNew")
                    && gc.getCollectionCount() > 0) {
                n += gc.getCollectionCount();
            }
        }
        return n;
    }

    /** Weak references to the class loaders of every generation unloaded so far and not yet checked. */
    public synchronized List<java.lang.ref.WeakReference<ClassLoader>> unloadedLoaders() {
        return collected.stream().map(c -> c.loader).collect(Collectors.toList());
    }

    /** What happened to each JAR of the plugins folder, by file name. */
    public synchronized List<PluginReport> reports() {
        return List.copyOf(reports.values());
    }

    /** Active generations, e.g. {@code codec-protostuff 0.1.0 #3}, and those still draining. */
    public synchronized List<String> generations() {
        List<String> out = new ArrayList<>();
        active.values().forEach(g -> out.add(g + " active"));
        retirements.forEach(r -> out.add(r.generation + " draining"));
        return out;
    }

    /** Stops every extension, then every plugin. */
    @Override
    public synchronized void close() {
        closed = true;
        retirements.forEach(r -> loader.unload(r.generation));
        retirements.clear();
        active.values().forEach(loader::unload);
        active.clear();
    }

    private static final class Retirement {
        final Generation generation;
        final Generation successor;
        final List<Extensions> snapshots;
        final long startNanos;

        Retirement(Generation generation, Generation successor, List<Extensions> snapshots, long startNanos) {
            this.generation = generation;
            this.successor = successor;
            this.snapshots = snapshots;
            this.startNanos = startNanos;
        }
    }

    /** An unloaded generation whose class loader should become unreachable; holds nothing of it strongly. */
    private static final class Collection {
        final String generation;
        final java.lang.ref.WeakReference<ClassLoader> loader;
        final long sinceNanos;
        final long oldCollectionsAtUnload;

        Collection(String generation, java.lang.ref.WeakReference<ClassLoader> loader, long sinceNanos,
                   long oldCollectionsAtUnload) {
            this.generation = generation;
            this.loader = loader;
            this.sinceNanos = sinceNanos;
            this.oldCollectionsAtUnload = oldCollectionsAtUnload;
        }
    }
}
