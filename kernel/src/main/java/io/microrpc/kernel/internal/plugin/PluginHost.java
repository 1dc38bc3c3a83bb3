package io.microrpc.kernel.internal.plugin;

import io.microrpc.kernel.config.ConfigException;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.plugin.PluginReport;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
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
 * <p>The host decides the transition and leaves each step to a part of its own: {@link FolderScanner}
 * reads the folder and says which files stood still, {@link VersionPicker} loads and picks the version
 * per plugin id, {@link RemovalHolds} decides whether a plugin without a file keeps serving,
 * {@link SnapshotPublisher} publishes the active generations to calls, {@link Retirements} drains and
 * unloads what was replaced, {@link LoaderLeakWatch} then watches its class loader, and
 * {@link PluginReports} keeps what each JAR's state is.
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
    private final ExtensionSnapshots snapshots;
    private final EventLog events;

    private final FolderScanner folder;
    private final AllowList allowList;
    private final PluginReports reports;
    private final VersionPicker picker;
    private final RemovalHolds holds;
    private final SnapshotPublisher publisher;
    private final Retirements retirements;
    private final LoaderLeakWatch leaks;

    /** Set by {@link #beginClose}, from any thread: no plugin code starts any more. */
    private volatile boolean closing;

    private volatile List<String> generationsView = List.of();
    /** Generations replaced or removed by the reconcile in progress, not yet handed to the retirements. */
    private List<Generation> leaving = List.of();

    public PluginHost(
            KernelSettings settings,
            KernelResources resources,
            ExtensionSnapshots snapshots,
            List<LoadedExtension> embedded,
            SwapListener listener,
            EventLog events) {
        this.settings = settings;
        this.resources = resources;
        this.loader = new PluginLoader(() -> this.settings, resources);
        this.snapshots = snapshots;
        this.events = events;
        this.folder = new FolderScanner(() -> this.settings);
        this.allowList = new AllowList(settings.pluginsAllow(), events);
        this.reports = new PluginReports(events);
        this.picker = new VersionPicker(
                () -> this.settings, loader, snapshots.remedies(), reports, resources.clock(), () -> closing);
        this.publisher = new SnapshotPublisher(snapshots, embedded, listener);
        this.holds = new RemovalHolds(() -> this.settings, publisher, reports, events);
        this.leaks = new LoaderLeakWatch(resources.ticker());
        this.retirements = new Retirements(loader, snapshots, resources.ticker(), leaks);
    }

    /**
     * Brings the loaded plugins in line with the folder and the pins ({@code plugins.allow}). With
     * {@code immediate} (at start) every file is taken as it is; otherwise a file must have stayed
     * unchanged for the debounce time. The pinning file is read at each call: at start, a missing or
     * malformed one fails; later, an edit that cannot be parsed is refused and the previous pins stay.
     *
     * @return true when something is still settling (a file being written, a removal held back) and
     *         another reconcile should follow
     * @throws io.microrpc.kernel.config.ConfigException at start, when the pinning file is missing or malformed
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
        if (immediate) {
            allowList.load();
        } else {
            allowList.refresh();
        }
        long now = resources.ticker().nanoTime();
        FolderScanner.Scan scan = folder.scan(now, immediate);
        picker.retainFiles(scan.names());
        boolean settling = apply(scan, now, immediate);
        return settling || !scan.unsettled().isEmpty();
    }

    /**
     * Decides the active file per plugin id among the scan's present files and moves to it in one
     * transition.
     *
     * @return true while a removal is held back for a bounded time
     */
    private boolean apply(FolderScanner.Scan scan, long now, boolean immediate) {
        Map<String, Generation> active = publisher.active();
        Map<String, List<PluginFile>> byId = new TreeMap<>();
        List<PluginFile> unreadable = new ArrayList<>();
        Map<String, List<String>> unpinned = new TreeMap<>();
        for (PluginFile f : scan.present().values()) {
            if (!f.isValid()) {
                reports.report(f.name, f.report(PluginReport.State.REFUSED, f.invalidReason));
                if (f.isUnreadable()) {
                    unreadable.add(f);
                }
                continue;
            }
            String refusal = allowList.refusal(f);
            if (refusal != null) {
                // Never handed to the loader: no class of it runs. A replacement of an active version that
                // is not pinned yet keeps that version (KEPT) until its pin arrives.
                reports.report(f.name, f.report(PluginReport.State.REFUSED, refusal));
                if (f.arrivedAfter(active.get(f.id))) {
                    unpinned.computeIfAbsent(f.id, k -> new ArrayList<>()).add(f.name + " is " + refusal);
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
            List<String> failed = new ArrayList<>(unpinned.getOrDefault(id, List.of()));
            Generation chosen = picker.choose(id, byId.getOrDefault(id, List.of()), current, failed);
            if (chosen != null) {
                holds.end(id);
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
            RemovalHolds.Hold hold =
                    holds.reason(current, failed, unreadable, scan.unsettled(), scan.names(), now, immediate);
            if (hold != null) {
                holds.keep(current, hold, scan.names());
                settling |= hold.bounded();
                continue;
            }
            holds.end(id);
            next.remove(id);
            retired.add(current);
        }
        reports.retainFiles(scan.names());
        if (!next.equals(active)) {
            publisher.activate(next);
            // Shown as draining from now on: publishing (and the registry taking over) may take a while,
            // and status must not show the old generations gone before they are.
            leaving = List.copyOf(retired);
            refreshViews();
            try {
                publisher.publish();
                for (Generation g : retired) {
                    retire(g, next.get(g.id));
                }
            } finally {
                leaving = List.of();
            }
            if (!immediate) {
                // At start, the STARTED line of each JAR says it all.
                describeChanges(active, next, scan.names());
            }
        }
        return settling;
    }

    /** Tells the operator what the transition did, one line per plugin: added, {@code 0.1.0 -> 0.1.1}, removed. */
    private void describeChanges(Map<String, Generation> before, Map<String, Generation> after, Set<String> names) {
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
                text = id + ' ' + old.version + " removed (" + old.file
                        + (names.contains(old.file)
                                ? " may no longer run: " + reportReason(old.file) + ')'
                                : " left the plugins folder)");
            } else {
                text = id + ' ' + old.version + " -> " + now.version + " (" + now.file + ')'
                        + (old.version.equals(now.version) ? ", new content" : "");
            }
            log.info("Plugin {}", text);
            events.add(text);
        }
    }

    private String reportReason(String file) {
        PluginReport r = reports.get(file);
        return r == null || r.reason() == null ? "see microrpc plugins" : r.reason();
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
        Extensions now = snapshots.current();
        Selections.checkProvided(before, next, now.all());
        IdentityHashMap<LoadedExtension, LoadedExtension> fresh = new IdentityHashMap<>();
        try {
            for (Generation g : publisher.generations()) {
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
        for (LoadedExtension le : publisher.embedded()) {
            String point = ExtensionPoints.of(le.extension()).get(0).key();
            if (!before.extensionConfig(point, le.name()).equals(next.extensionConfig(point, le.name()))) {
                log.warn(
                        "Extension {} is the application's own: its keys ({}) take effect at restart",
                        le,
                        next.extensionConfig(point, le.name()).prefix() + "*");
            }
        }
        settings = next;
        publisher.replaceInstances(fresh);
        publisher.publish(next);
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

    /** See {@link LoaderLeakWatch#check()}; called by the lifecycle thread every second while checks wait. */
    public boolean checkCollected() {
        return leaks.check();
    }

    /** Weak references to the class loaders of every generation unloaded so far and not yet checked. */
    public List<WeakReference<ClassLoader>> unloadedLoaders() {
        return leaks.loaders();
    }

    /**
     * What happened to each JAR of the plugins folder, by file name; plus versions kept after their JAR
     * went. Any thread; never waits for the lifecycle (a plugin stuck in {@code start()} included).
     */
    public List<PluginReport> reports() {
        return reports.view();
    }

    /**
     * Active generations, e.g. {@code codec-protostuff 0.1.0 #3}, and those still draining. Any thread;
     * never waits for the lifecycle.
     */
    public List<String> generations() {
        return generationsView;
    }

    private void refreshViews() {
        reports.publish();
        List<String> gens = new ArrayList<>();
        publisher.generations().forEach(g -> gens.add(g + (holds.isKept(g.id) ? " active, kept" : " active")));
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
        all.addAll(publisher.takeAll());
        loader.unloadAll(all, pending.instances(), budget);
        refreshViews();
    }
}
