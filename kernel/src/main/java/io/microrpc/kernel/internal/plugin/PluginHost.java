package io.microrpc.kernel.internal.plugin;

import io.microrpc.kernel.config.ConfigException;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.plugin.PluginReport;
import io.microrpc.spi.Durations;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.pf4j.DefaultVersionManager;
import org.pf4j.VersionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the loaded plugins in line with the plugins folder, at start and whenever the folder changes.
 *
 * <p>{@link #reconcile} rescans the whole folder (so an overflow of watch events loses nothing) and
 * moves from the active generations to those the folder's state calls for in one transition: one
 * snapshot published with one atomic write, never through a point with no extension. Per plugin id,
 * the highest version present is active:
 * <ul>
 *   <li>a new id is loaded and its extensions become available at once;</li>
 *   <li>a new version (or other content) is loaded and started beside the old one, the extension
 *       snapshot is switched, and the old generation is retired: it is unloaded once every call that
 *       used it has finished (bounded by {@code plugins.drain-timeout});</li>
 *   <li>a removed JAR retires its generation; an older version still in the folder takes over.</li>
 * </ul>
 *
 * <p>Operators change folders in several steps ({@code mv new.jar plugins/ && rm old.jar}, a slow
 * {@code cp}, a symlink swap of the whole folder), and a reconcile may run between any two. So a file
 * counts only once it has stayed unchanged for {@code plugins.watch-debounce}, and the removal of a
 * plugin is held back while its successor may still arrive: while a file that declares the same id, or
 * that cannot be read yet, is still being written (at most {@code plugins.replace-grace}), and for the
 * debounce time after its JAR vanished. A replacement that arrived but is unusable (not a valid JAR, a
 * plugin that fails to start or is refused) does not remove the version that works: it stays, reported
 * as {@code KEPT} with the reason, until the folder is fixed.
 *
 * <p>Confined to the kernel's plugin lifecycle thread ({@link PluginLifecycle}): every method but
 * {@link #reports}, {@link #generations}, {@link #unloadedGenerations} and {@link #beginClose} runs there,
 * one at a time, so PF4J (not thread-safe) is never called concurrently. It holds no lock: the reports
 * are published as immutable views for other threads, and plugin code runs on threads of its own with
 * a time bound ({@link PluginLoader}), so neither a status request nor a shutdown ever waits for a
 * plugin's {@code start()}.
 */
public final class PluginHost {

    private static final Logger log = LoggerFactory.getLogger(PluginHost.class);

    /** Called before a new snapshot is published, e.g. to re-export the services of replaced service plugins. */
    @FunctionalInterface
    public interface SwapListener {
        void beforePublish(List<LoadedExtension> next);
    }

    private volatile KernelSettings settings;
    private final KernelResources resources;
    private final PluginLoader loader;
    private final ExtensionRegistry registry;
    private final List<LoadedExtension> embedded;
    private final SwapListener listener;
    private final EventLog events;
    private final VersionManager versions = new DefaultVersionManager();

    /** The last content read of each file that stood still, by file name. */
    private final Map<String, PluginFile> files = new TreeMap<>();

    private final Map<String, Observation> observed = new HashMap<>();
    private final Map<String, PluginReport> reports = new TreeMap<>();
    private final Map<String, Generation> active = new TreeMap<>();
    private final Map<String, String> failedContent = new HashMap<>();
    /** Plugin ids whose removal is held back, and why. */
    private final Map<String, Hold> holds = new HashMap<>();

    private final Retirements retirements;
    private boolean missingFolderLogged;
    /** Set by {@link #beginClose}, from any thread: no plugin code starts any more. */
    private volatile boolean closing;

    private volatile List<PluginReport> reportsView = List.of();
    private volatile List<String> generationsView = List.of();
    /** Generations replaced or removed by the reconcile in progress, not yet handed to the retirements. */
    private List<Generation> leaving = List.of();

    public PluginHost(
            KernelSettings settings,
            KernelResources resources,
            ExtensionRegistry registry,
            List<LoadedExtension> embedded,
            SwapListener listener,
            EventLog events) {
        this.settings = settings;
        this.resources = resources;
        this.loader = new PluginLoader(() -> this.settings, resources);
        this.registry = registry;
        this.embedded = List.copyOf(embedded);
        this.listener = listener;
        this.events = events;
        this.retirements = new Retirements(loader, registry, resources.ticker());
    }

    /** True for names the folder scan considers: {@code *.jar}, not hidden; temporary names end otherwise. */
    public static boolean isPluginFileName(String name) {
        return name.endsWith(".jar") && !name.startsWith(".");
    }

    /**
     * Brings the loaded plugins in line with the folder. With {@code immediate} (at start) every file is
     * taken as it is; otherwise a file must have stayed unchanged for the debounce time.
     *
     * @return true when something is still settling (a file being written, a removal held back) and
     *         another reconcile should follow
     */
    public boolean reconcile(boolean immediate) {
        if (closing) {
            return false;
        }
        try {
            return reconcileFolder(immediate);
        } finally {
            refreshViews();
        }
    }

    private boolean reconcileFolder(boolean immediate) {
        long now = resources.ticker().nanoTime();
        long debounce = settings.pluginsWatchDebounce().toNanos();
        Path dir = settings.pluginsDir();
        Map<String, BasicFileAttributes> scanned = scan();
        Map<String, PluginFile> present = new TreeMap<>();
        List<Pending> pending = new ArrayList<>();
        for (Map.Entry<String, BasicFileAttributes> e : scanned.entrySet()) {
            String name = e.getKey();
            Observation seen = observed.get(name);
            Observation current = Observation.of(e.getValue(), now);
            boolean changing;
            if (seen == null || !seen.sameFile(current)) {
                observed.put(name, current);
                changing = !immediate;
            } else {
                changing = !immediate && now - seen.since < debounce;
            }
            PluginFile known = files.get(name);
            if (!changing) {
                if (known != null && current.sameFile(known.observation)) {
                    present.put(name, known);
                    continue;
                }
                try {
                    PluginFile read = PluginFile.read(dir.resolve(name), observed.get(name));
                    files.put(name, read);
                    present.put(name, read);
                    continue;
                } catch (IOException ex) {
                    log.debug("Cannot read {} yet", name, ex);
                }
            }
            pending.add(new Pending(name, PluginFile.peekId(dir.resolve(name))));
            if (known != null) {
                // Being rewritten: keep acting on what it held until it stands still.
                present.put(name, known);
            }
        }
        files.keySet().retainAll(scanned.keySet());
        observed.keySet().retainAll(scanned.keySet());
        failedContent.keySet().retainAll(scanned.keySet());
        boolean settling = apply(present, pending, scanned.keySet(), now, immediate);
        return settling || !pending.isEmpty();
    }

    private Map<String, BasicFileAttributes> scan() {
        Map<String, BasicFileAttributes> out = new TreeMap<>();
        Path dir = settings.pluginsDir();
        if (!Files.isDirectory(dir)) {
            if (!missingFolderLogged) {
                log.warn("Plugins folder {} does not exist; no plugins loaded", dir.toAbsolutePath());
                missingFolderLogged = true;
            }
            return out;
        }
        missingFolderLogged = false;
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
        return out;
    }

    /**
     * Decides the active file per plugin id among {@code present} and moves to it in one transition.
     *
     * @return true while a removal is held back for a bounded time
     */
    private boolean apply(
            Map<String, PluginFile> present, List<Pending> pending, Set<String> scanned, long now, boolean immediate) {
        Map<String, List<PluginFile>> byId = new TreeMap<>();
        List<PluginFile> unreadable = new ArrayList<>();
        for (PluginFile f : present.values()) {
            if (!f.isValid()) {
                report(f.name, f.report(PluginReport.State.REFUSED, f.invalidReason));
                if (f.isUnreadable()) {
                    unreadable.add(f);
                }
                continue;
            }
            byId.computeIfAbsent(f.id, k -> new ArrayList<>()).add(f);
        }
        Map<String, Generation> next = new TreeMap<>(active);
        List<Generation> retired = new ArrayList<>();
        Set<String> ids = new TreeSet<>(byId.keySet());
        ids.addAll(active.keySet());
        boolean settling = false;
        for (String id : ids) {
            Generation current = active.get(id);
            List<String> failed = new ArrayList<>();
            Generation chosen = choose(id, byId.getOrDefault(id, List.of()), current, failed);
            if (chosen != null) {
                endHold(id);
                if (chosen != current) {
                    next.put(id, chosen);
                    if (current != null) {
                        retired.add(current);
                    }
                }
                continue;
            }
            if (current == null) {
                continue;
            }
            Hold hold = holdReason(current, failed, unreadable, pending, scanned, now, immediate);
            if (hold != null) {
                keep(current, hold, scanned);
                settling |= hold.bounded;
                continue;
            }
            endHold(id);
            next.remove(id);
            retired.add(current);
        }
        reports.keySet().removeIf(n -> !scanned.contains(n) && !n.startsWith(KEPT_PREFIX));
        if (!next.equals(active)) {
            Map<String, Generation> previous = new TreeMap<>(active);
            active.clear();
            active.putAll(next);
            // Shown as draining from now on: publishing (and the registry taking over) may take a while,
            // and status must not show the old generations gone before they are.
            leaving = List.copyOf(retired);
            refreshViews();
            try {
                publish();
                for (Generation g : retired) {
                    retire(g, next.get(g.id));
                }
            } finally {
                leaving = List.of();
            }
            if (!immediate) {
                // At start, the STARTED line of each JAR says it all.
                describeChanges(previous, next);
            }
        }
        return settling;
    }

    /**
     * The generation {@code id} should run: the highest version among {@code files} that loads and
     * starts (the current one when its content is still there). Reports each file's state; collects
     * why candidates could not be used in {@code failed}. Null when none can run.
     */
    private Generation choose(String id, List<PluginFile> files, Generation current, List<String> failed) {
        List<PluginFile> candidates = ordered(files, current);
        Generation chosen = null;
        for (PluginFile f : candidates) {
            PluginFile duplicate = firstWithSameVersion(candidates, f);
            if (duplicate != f) {
                report(
                        f.name,
                        f.report(
                                PluginReport.State.REFUSED,
                                "same plugin id '" + id + "' and version " + f.version + " as " + duplicate.name
                                        + "; remove one of the two JARs"));
                continue;
            }
            if (chosen != null) {
                report(
                        f.name,
                        f.report(
                                PluginReport.State.STANDBY,
                                "version " + f.version + " stands by; " + chosen.version + " is active"));
                continue;
            }
            if (current != null && current.hash.equals(f.hash)) {
                chosen = current;
                report(f.name, started(f, current));
                continue;
            }
            if (closing) {
                // Shutting down: start nothing more, change nothing.
                return current;
            }
            if (f.hash.equals(failedContent.get(f.name))) {
                PluginReport r = reports.get(f.name);
                if (arrivedAfter(f, current)) {
                    failed.add(f.name + ' ' + (r == null ? "failed" : r.reason()));
                }
                continue;
            }
            try {
                showStarting(f);
                Generation g = loader.load(f);
                for (LoadedExtension le : g.extensions) {
                    for (ExtensionPoints p : ExtensionPoints.of(le.extension())) {
                        registry.remedies().learned(p, le.name(), f.name, g.id, g.version);
                    }
                }
                chosen = g;
                report(f.name, started(f, g));
            } catch (PluginLoadException ex) {
                failedContent.put(f.name, f.hash);
                // What the plugin's own code threw, or where it was stuck, is worth its stack trace.
                report(
                        f.name,
                        f.report(ex.state, ex.getMessage()),
                        ex.state == PluginReport.State.FAILED ? ex.getCause() : null);
                if (arrivedAfter(f, current)) {
                    failed.add(f.name + ' ' + ex.getMessage());
                }
                if (ex.getCause() != null && ex.state != PluginReport.State.FAILED) {
                    log.debug("Loading {} failed", f.name, ex.getCause());
                }
            }
        }
        return chosen;
    }

    /**
     * Whether {@code f} came into the folder after {@code current} was loaded: only then can it be
     * {@code current}'s replacement. A broken JAR that was there all along replaces nothing.
     */
    private static boolean arrivedAfter(PluginFile f, Generation current) {
        return current != null && f.observation.since() - current.loadedNanos > 0;
    }

    /**
     * Why {@code current}, which no file of the folder provides any more, should keep serving; null
     * when it should be removed.
     */
    private Hold holdReason(
            Generation current,
            List<String> failed,
            List<PluginFile> unreadable,
            List<Pending> pending,
            Set<String> scanned,
            long now,
            boolean immediate) {
        // Its replacement arrived but cannot run: keep the version that works until the folder is fixed.
        if (!failed.isEmpty()) {
            return new Hold(now, "kept " + current.version + ": " + String.join("; ", failed), false);
        }
        String stem = PluginFile.stem(current.file);
        for (PluginFile f : unreadable) {
            if ((f.name.equals(current.file) || PluginFile.stem(f.name).equals(stem)) && arrivedAfter(f, current)) {
                return new Hold(now, "kept " + current.version + ": " + f.name + " is " + f.invalidReason, false);
            }
        }
        if (immediate) {
            return null;
        }
        // Its replacement may still be arriving: hold the removal for a bounded time.
        Hold previous = holds.get(current.id);
        long since = previous != null && previous.bounded ? previous.since : now;
        if (now - since > settings.pluginsReplaceGrace().toNanos()) {
            log.warn(
                    "Plugin {} {}: no usable replacement arrived within plugins.replace-grace {}; removing it",
                    current.id,
                    current.version,
                    Durations.format(settings.pluginsReplaceGrace()));
            return null;
        }
        for (Pending p : pending) {
            if (current.id.equals(p.id)
                    || (p.id == null
                            && (p.name.equals(current.file)
                                    || PluginFile.stem(p.name).equals(stem)))) {
                return new Hold(since, "kept " + current.version + " until " + p.name + " is ready", true);
            }
        }
        for (Pending p : pending) {
            if (p.id == null) {
                return new Hold(
                        since, "kept " + current.version + " until " + p.name + " is ready (it may replace it)", true);
            }
        }
        if (!scanned.contains(current.file) && (previous == null || previous.bounded)) {
            // Deleted moments ago: a successor may follow ("rm old.jar; cp new.jar plugins/"). Removing the
            // only provider of something calls need fails them, so that waits for the grace time; a plugin
            // others can stand in for goes after the debounce time.
            String needed = irreplaceable(current);
            if (needed == null && now - since < settings.pluginsWatchDebounce().toNanos()) {
                return new Hold(since, "", true);
            }
            if (needed != null) {
                return new Hold(
                        since,
                        "kept " + current.version + " for up to plugins.replace-grace ("
                                + Durations.format(settings.pluginsReplaceGrace()) + ") after " + current.file
                                + " left the folder: it is the only " + needed + "; a replacement put in "
                                + "meanwhile takes over without a failed call",
                        true);
            }
        }
        return null;
    }

    /**
     * What {@code g} provides that nothing else loaded does, e.g. {@code serializer 'protostuff'}; null when
     * every extension of it has a stand-in (any load balancer or cluster policy stands in for another; a
     * serializer, registry or service only for one of the same name; filters are optional).
     */
    private String irreplaceable(Generation g) {
        List<LoadedExtension> others = new ArrayList<>(embedded);
        active.values().stream().filter(o -> o != g).forEach(o -> others.addAll(o.extensions));
        for (LoadedExtension le : g.extensions) {
            ExtensionPoints point = ExtensionPoints.of(le.extension()).get(0);
            if (point == ExtensionPoints.FILTER) {
                continue;
            }
            boolean anyName = point == ExtensionPoints.LOAD_BALANCER || point == ExtensionPoints.CLUSTER;
            boolean standIn = others.stream()
                    .anyMatch(o -> point.type().isInstance(o.extension())
                            && (anyName || o.name().equals(le.name())));
            if (!standIn) {
                return point.key() + (anyName ? "" : " '" + le.name() + "'");
            }
        }
        return null;
    }

    private static final String KEPT_PREFIX = "\u0000kept:";

    /** Holds {@code current} back from removal; reports and tells the operator once per reason. */
    private void keep(Generation current, Hold hold, Set<String> scanned) {
        Hold previous = holds.put(current.id, hold);
        if (hold.reason.isEmpty()) {
            return;
        }
        String file = current.file + (scanned.contains(current.file) ? " (previous content)" : " (removed)");
        reports.put(
                KEPT_PREFIX + current.id,
                new PluginReport(
                        file,
                        current.id,
                        current.version,
                        PluginReport.State.KEPT,
                        started(current).extensions(),
                        hold.reason));
        if (previous == null || !previous.reason.equals(hold.reason)) {
            if (hold.bounded) {
                log.info("Plugin {} {}", current.id, hold.reason);
            } else {
                log.warn("Plugin {} {}", current.id, hold.reason);
            }
            events.add(current.id + ' ' + hold.reason);
        }
    }

    private void endHold(String id) {
        holds.remove(id);
        reports.remove(KEPT_PREFIX + id);
    }

    /** Highest version first; the active generation's file first among equal versions. */
    private List<PluginFile> ordered(List<PluginFile> files, Generation current) {
        List<PluginFile> out = new ArrayList<>(files);
        out.sort(Comparator.<PluginFile, String>comparing(f -> f.version, this::compareVersions)
                .reversed()
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
        return new PluginReport(
                f.name, g.id, g.version, PluginReport.State.STARTED, started(g).extensions(), null);
    }

    private static PluginReport started(Generation g) {
        List<String> described = new ArrayList<>();
        for (LoadedExtension le : g.extensions) {
            for (ExtensionPoints p : ExtensionPoints.of(le.extension())) {
                described.add(p.key() + ':' + le.name());
            }
        }
        return new PluginReport(g.file, g.id, g.version, PluginReport.State.STARTED, described, null);
    }

    /**
     * Shows {@code f} as starting in the status (not logged: its outcome is), so a start that takes long
     * is visible while it runs.
     */
    private void showStarting(PluginFile f) {
        reports.put(
                f.name,
                f.report(
                        PluginReport.State.STARTING,
                        "start() running since "
                                + LocalTime.ofInstant(resources.clock().instant(), ZoneId.systemDefault())
                                        .withNano(0)
                                + "; at most plugins.start-timeout "
                                + Durations.format(settings.pluginsStartTimeout())));
        refreshViews();
    }

    private void report(String name, PluginReport r) {
        report(name, r, null);
    }

    /** Records {@code r}; logs it when it changed, with {@code cause}'s stack trace if there is one. */
    private void report(String name, PluginReport r, Throwable cause) {
        PluginReport previous = reports.put(name, r);
        if (r.equals(previous)) {
            return;
        }
        refreshViews();
        if (r.isStarted() || r.state() == PluginReport.State.STANDBY) {
            log.info("Plugin {}", r);
        } else {
            log.warn("Plugin JAR {} skipped: {}", name, r.reason(), cause);
            if (previous == null || !Objects.equals(previous.reason(), r.reason())) {
                events.add(name + " " + r.state().name().toLowerCase(Locale.ROOT) + ": " + r.reason());
            }
        }
    }

    private void publish() {
        listener.beforePublish(all());
        registry.publish(all());
    }

    private List<LoadedExtension> all() {
        List<LoadedExtension> all = new ArrayList<>(embedded);
        for (Generation g : active.values()) {
            all.addAll(g.extensions);
        }
        return all;
    }

    /** Tells the operator what the transition did, one line per plugin: added, {@code 0.1.0 -> 0.1.1}, removed. */
    private void describeChanges(Map<String, Generation> before, Map<String, Generation> after) {
        Set<String> ids = new TreeSet<>(before.keySet());
        ids.addAll(after.keySet());
        for (String id : ids) {
            Generation old = before.get(id);
            Generation now = after.get(id);
            if (old == now) {
                continue;
            }
            String text;
            if (old == null) {
                text = id + ' ' + now.version + " added (" + now.file + ')';
            } else if (now == null) {
                text = id + ' ' + old.version + " removed (" + old.file + " left the plugins folder)";
            } else {
                text = id + ' ' + old.version + " -> " + now.version + " (" + now.file + ')'
                        + (old.version.equals(now.version) ? ", new content" : "");
            }
            log.info("Plugin {}", text);
            events.add(text);
        }
    }

    /** Unloads {@code g} once every snapshot published before now has drained. */
    private void retire(Generation g, Generation successor) {
        retirements.generation(g, successor);
        log.info(
                "Plugin {}: {} -> {}; draining calls of the old generation",
                g.id,
                g.version,
                successor == null ? "removed" : successor.version);
    }

    /**
     * Applies the extension keys and the selections of {@code next}, the settings of an edited
     * configuration file, to new calls at once: an extension whose keys changed is replaced by a new
     * instance of it started with the new keys (the old one finishes its calls and is stopped once they
     * drained), and the new selections and instances are published in one snapshot. Names that nobody
     * provides, and keys an extension refuses, refuse the whole change: nothing is applied.
     *
     * @throws ConfigException naming the key and what was wrong
     */
    public void reconfigure(KernelSettings next) {
        if (closing) {
            throw new IllegalStateException("the kernel is shutting down; the configuration change is not applied");
        }
        KernelSettings before = settings;
        Extensions now = registry.current();
        Selections.checkProvided(before, next, now.all());
        IdentityHashMap<LoadedExtension, LoadedExtension> fresh = new IdentityHashMap<>();
        try {
            for (Generation g : active.values()) {
                for (LoadedExtension le : g.extensions) {
                    String point = ExtensionPoints.of(le.extension()).get(0).key();
                    if (!before.extensionConfig(point, le.name()).equals(next.extensionConfig(point, le.name()))) {
                        fresh.put(le, loader.restart(g, le, next));
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            loader.stop(List.copyOf(fresh.values()));
            throw new ConfigException(e.getMessage(), e);
        }
        for (LoadedExtension le : embedded) {
            String point = ExtensionPoints.of(le.extension()).get(0).key();
            if (!before.extensionConfig(point, le.name()).equals(next.extensionConfig(point, le.name()))) {
                log.warn(
                        "Extension {} is the application's own: its keys ({}) take effect at restart",
                        le,
                        next.extensionConfig(point, le.name()).prefix() + "*");
            }
        }
        settings = next;
        for (Map.Entry<String, Generation> e : active.entrySet()) {
            Generation g = e.getValue();
            if (g.extensions.stream().anyMatch(fresh::containsKey)) {
                e.setValue(g.withExtensions(g.extensions.stream()
                        .map(le -> fresh.getOrDefault(le, le))
                        .toList()));
            }
        }
        List<LoadedExtension> all = all();
        listener.beforePublish(all);
        registry.publish(all, selections -> selections.reconfigured(next));
        if (!fresh.isEmpty()) {
            List<LoadedExtension> old = new ArrayList<>(fresh.keySet());
            retirements.instances(old);
            log.info(
                    "Restarted {} with their new keys; the previous instances stop once their calls finish",
                    fresh.values().stream().map(LoadedExtension::toString).collect(Collectors.joining(", ")));
        }
    }

    /**
     * Unloads retired generations (and stops replaced instances) whose calls have finished, or whose
     * drain timed out. Called by the kernel's lifecycle thread every few milliseconds while retirements
     * are pending.
     *
     * @return true while some retirement is still waiting
     */
    public boolean drainRetired() {
        try {
            return retirements.drain(settings.pluginsDrainTimeout());
        } finally {
            refreshViews();
        }
    }

    /** Generations unloaded so far (replaced, removed or rolled back), for metrics. */
    public long unloadedGenerations() {
        return retirements.unloaded();
    }

    /** See {@link Retirements#checkCollected()}; called by the lifecycle thread every second while checks wait. */
    public boolean checkCollected() {
        return retirements.checkCollected();
    }

    /** Weak references to the class loaders of every generation unloaded so far and not yet checked. */
    public List<WeakReference<ClassLoader>> unloadedLoaders() {
        return retirements.unloadedLoaders();
    }

    /**
     * What happened to each JAR of the plugins folder, by file name; plus versions kept after their JAR
     * went. Any thread; never waits for the lifecycle (a plugin stuck in {@code start()} included).
     */
    public List<PluginReport> reports() {
        return reportsView;
    }

    /**
     * Active generations, e.g. {@code codec-protostuff 0.1.0 #3}, and those still draining. Any thread;
     * never waits for the lifecycle.
     */
    public List<String> generations() {
        return generationsView;
    }

    private void refreshViews() {
        List<PluginReport> out = new ArrayList<>();
        reports.forEach((k, r) -> {
            if (!k.startsWith(KEPT_PREFIX)) {
                out.add(r);
            }
        });
        reports.forEach((k, r) -> {
            if (k.startsWith(KEPT_PREFIX)) {
                out.add(r);
            }
        });
        reportsView = List.copyOf(out);
        List<String> gens = new ArrayList<>();
        active.values()
                .forEach(g -> gens.add(g
                        + (holds.containsKey(g.id) && !holds.get(g.id).reason.isEmpty()
                                ? " active, kept"
                                : " active")));
        List<Generation> draining = retirements.draining();
        leaving.stream().filter(g -> !draining.contains(g)).forEach(g -> gens.add(g + " draining"));
        draining.forEach(g -> gens.add(g + " draining"));
        generationsView = List.copyOf(gens);
    }

    /**
     * The first step of a shutdown, from any thread: no plugin code starts any more (a reconcile in
     * progress stops where it is), and every start or stop still running is abandoned, so the lifecycle
     * thread is free for {@link #close} at once.
     */
    public void beginClose() {
        closing = true;
        loader.abandonAll("the kernel is shutting down");
    }

    /**
     * Stops every extension and unloads every plugin, active or still draining, all at once; waits for
     * them at most {@code budget} in all (a plugin whose {@code stop()} does not return by then is left
     * to the process exit, and named in a warning).
     */
    public void close(Duration budget) {
        closing = true;
        Retirements.Pending pending = retirements.takeAll();
        List<Generation> all = new ArrayList<>(pending.generations());
        all.addAll(active.values());
        active.clear();
        loader.unloadAll(all, pending.instances(), budget);
        refreshViews();
    }

    /** What the folder showed under one name: a file is the same while its size, time and identity are. */
    record Observation(long size, long modified, Object fileKey, long since) {

        static Observation of(BasicFileAttributes a, long now) {
            return new Observation(a.size(), a.lastModifiedTime().toMillis(), a.fileKey(), now);
        }

        boolean sameFile(Observation o) {
            return o != null && size == o.size && modified == o.modified && Objects.equals(fileKey, o.fileKey);
        }
    }

    /** A file still being written, and the plugin id its manifest declares if it can already be read. */
    private record Pending(String name, String id) {}

    /**
     * Why a generation with no file of its own keeps serving, since when; bounded holds end after
     * {@code plugins.replace-grace}, the others when the folder changes. An empty reason is a silent hold.
     */
    private record Hold(long since, String reason, boolean bounded) {}
}
