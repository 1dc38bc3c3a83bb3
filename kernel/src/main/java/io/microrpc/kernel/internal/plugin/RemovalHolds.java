package io.microrpc.kernel.internal.plugin;

import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.spi.Durations;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether an active generation that no file of the folder provides any more keeps serving,
 * and remembers since when. Its replacement may have arrived unusable (kept until the folder is fixed),
 * or may still be arriving: a file of the same plugin, or one not readable yet, is being written, or
 * its JAR vanished moments ago (a {@code rm old.jar; cp new.jar plugins/}); those holds are bounded by
 * {@code plugins.replace-grace}. Used on the plugin lifecycle thread only; not thread-safe.
 */
final class RemovalHolds {

    /** Logged as the plugin host: operators filter the plugin state lines by that category. */
    private static final Logger log = LoggerFactory.getLogger(PluginHost.class);

    private final Supplier<KernelSettings> settings;
    private final SnapshotPublisher publisher;
    private final PluginReports reports;
    private final EventLog events;
    /** Plugin ids whose removal is held back, and why. */
    private final Map<String, Hold> holds = new HashMap<>();

    RemovalHolds(
            Supplier<KernelSettings> settings, SnapshotPublisher publisher, PluginReports reports, EventLog events) {
        this.settings = settings;
        this.publisher = publisher;
        this.reports = reports;
        this.events = events;
    }

    /**
     * Why {@code current}, which no file of the folder provides any more, should keep serving; null
     * when it should be removed.
     *
     * @param failed why the files that arrived to replace it could not be used
     * @param unreadable the folder's JARs that cannot be read at all
     * @param unsettled the folder's files still being written
     * @param names every plugin file name in the folder
     */
    Hold reason(
            Generation current,
            List<String> failed,
            List<PluginFile> unreadable,
            List<FolderScanner.Unsettled> unsettled,
            Set<String> names,
            long now,
            boolean immediate) {
        KernelSettings settings = this.settings.get();
        // Its replacement arrived but cannot run: keep the version that works until the folder is fixed.
        if (!failed.isEmpty()) {
            return new Hold(now, "kept " + current.version + ": " + String.join("; ", failed), false);
        }
        String stem = PluginFile.stem(current.file);
        for (PluginFile f : unreadable) {
            if ((f.name.equals(current.file) || PluginFile.stem(f.name).equals(stem)) && f.arrivedAfter(current)) {
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
        for (FolderScanner.Unsettled p : unsettled) {
            if (current.id.equals(p.id())
                    || (p.id() == null
                            && (p.name().equals(current.file)
                                    || PluginFile.stem(p.name()).equals(stem)))) {
                return new Hold(since, "kept " + current.version + " until " + p.name() + " is ready", true);
            }
        }
        for (FolderScanner.Unsettled p : unsettled) {
            if (p.id() == null) {
                return new Hold(
                        since,
                        "kept " + current.version + " until " + p.name() + " is ready (it may replace it)",
                        true);
            }
        }
        if (!names.contains(current.file) && (previous == null || previous.bounded)) {
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
        List<LoadedExtension> others = publisher.extensionsBesides(g);
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

    /** Holds {@code current} back from removal; reports and tells the operator once per reason. */
    void keep(Generation current, Hold hold, Set<String> names) {
        Hold previous = holds.put(current.id, hold);
        if (hold.reason.isEmpty()) {
            return;
        }
        String file = current.file + (names.contains(current.file) ? " (previous content)" : " (removed)");
        reports.kept(current, file, hold.reason);
        if (previous == null || !previous.reason.equals(hold.reason)) {
            if (hold.bounded) {
                log.info("Plugin {} {}", current.id, hold.reason);
            } else {
                log.warn("Plugin {} {}", current.id, hold.reason);
            }
            events.add(current.id + ' ' + hold.reason);
        }
    }

    /** Plugin {@code id} is no longer held back (it has a file again, or it goes). */
    void end(String id) {
        holds.remove(id);
        reports.notKept(id);
    }

    /** Whether plugin {@code id} keeps serving for a reason the operator is told (not a silent hold). */
    boolean isKept(String id) {
        Hold h = holds.get(id);
        return h != null && !h.reason.isEmpty();
    }

    /**
     * Why a generation with no file of its own keeps serving, since when; bounded holds end after
     * {@code plugins.replace-grace}, the others when the folder changes. An empty reason is a silent hold.
     */
    record Hold(long since, String reason, boolean bounded) {}
}
