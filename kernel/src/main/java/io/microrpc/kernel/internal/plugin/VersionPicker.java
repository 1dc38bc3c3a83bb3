package io.microrpc.kernel.internal.plugin;

import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.plugin.PluginReport;
import io.microrpc.spi.Durations;
import java.time.Clock;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.pf4j.DefaultVersionManager;
import org.pf4j.VersionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks which version of a plugin id runs: the highest version among the folder's files for that id
 * that loads and starts, the current generation when its content is still there. Loads and starts the
 * new one ({@link PluginLoader}) and reports every file it looked at: {@code STARTED}, {@code STANDBY}
 * (an older valid version), {@code REFUSED} (a duplicate version) or what loading said. Content that
 * failed is not tried again until the file changes. Used on the plugin lifecycle thread only; not
 * thread-safe.
 */
final class VersionPicker {

    private static final Logger log = LoggerFactory.getLogger(VersionPicker.class);

    private final Supplier<KernelSettings> settings;
    private final PluginLoader loader;
    private final Remedies remedies;
    private final PluginReports reports;
    private final Clock clock;
    private final BooleanSupplier closing;
    private final VersionManager versions = new DefaultVersionManager();
    /** The content hash of each file whose load failed, by file name. */
    private final Map<String, String> failedContent = new HashMap<>();

    VersionPicker(
            Supplier<KernelSettings> settings,
            PluginLoader loader,
            Remedies remedies,
            PluginReports reports,
            Clock clock,
            BooleanSupplier closing) {
        this.settings = settings;
        this.loader = loader;
        this.remedies = remedies;
        this.reports = reports;
        this.clock = clock;
        this.closing = closing;
    }

    /** Forgets the failures of files no longer in the folder (a file that comes back is tried again). */
    void retainFiles(Set<String> names) {
        failedContent.keySet().retainAll(names);
    }

    /**
     * The generation {@code id} should run: the highest version among {@code files} that loads and
     * starts (the current one when its content is still there). Reports each file's state; collects
     * why candidates could not be used in {@code failed}. Null when none can run.
     */
    Generation choose(String id, List<PluginFile> files, Generation current, List<String> failed) {
        List<PluginFile> candidates = ordered(files, current);
        Generation chosen = null;
        for (PluginFile f : candidates) {
            PluginFile duplicate = firstWithSameVersion(candidates, f);
            if (duplicate != f) {
                reports.report(
                        f.name,
                        f.report(
                                PluginReport.State.REFUSED,
                                "same plugin id '" + id + "' and version " + f.version + " as " + duplicate.name
                                        + "; remove one of the two JARs"));
                continue;
            }
            if (chosen != null) {
                reports.report(
                        f.name,
                        f.report(
                                PluginReport.State.STANDBY,
                                "version " + f.version + " stands by; " + chosen.version + " is active"));
                continue;
            }
            if (current != null && current.hash.equals(f.hash)) {
                chosen = current;
                reports.report(f.name, PluginReports.started(f, current));
                continue;
            }
            if (closing.getAsBoolean()) {
                // Shutting down: start nothing more, change nothing.
                return current;
            }
            if (f.hash.equals(failedContent.get(f.name))) {
                PluginReport r = reports.get(f.name);
                if (f.arrivedAfter(current)) {
                    failed.add(f.name + ' ' + (r == null ? "failed" : r.reason()));
                }
                continue;
            }
            try {
                showStarting(f);
                Generation g = loader.load(f);
                for (LoadedExtension le : g.extensions) {
                    for (ExtensionPoints p : ExtensionPoints.of(le.extension())) {
                        remedies.learned(p, le.name(), f.name, g.id, g.version);
                    }
                }
                chosen = g;
                reports.report(f.name, PluginReports.started(f, g));
            } catch (PluginLoadException ex) {
                failedContent.put(f.name, f.hash);
                // What the plugin's own code threw, or where it was stuck, is worth its stack trace.
                reports.report(
                        f.name,
                        f.report(ex.state, ex.getMessage()),
                        ex.state == PluginReport.State.FAILED ? ex.getCause() : null);
                if (f.arrivedAfter(current)) {
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
     * Shows {@code f} as starting in the status (not logged: its outcome is), so a start that takes long
     * is visible while it runs.
     */
    private void showStarting(PluginFile f) {
        reports.starting(
                f,
                "start() running since "
                        + LocalTime.ofInstant(clock.instant(), ZoneId.systemDefault())
                                .withNano(0)
                        + "; at most plugins.start-timeout "
                        + Durations.format(settings.get().pluginsStartTimeout()));
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
}
