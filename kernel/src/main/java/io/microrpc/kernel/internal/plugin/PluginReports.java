package io.microrpc.kernel.internal.plugin;

import io.microrpc.kernel.plugin.PluginReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happened to each JAR of the plugins folder, by file name, plus the versions kept serving after
 * their JAR went ({@code KEPT}); what {@code microrpc plugins}, {@code status} and {@code GET /plugins}
 * show. Written on the plugin lifecycle thread only; other threads read the immutable {@link #view()}
 * republished after each change, so a status request never waits for the lifecycle.
 */
final class PluginReports {

    /** Logged as the plugin host: operators filter the plugin state lines by that category. */
    private static final Logger log = LoggerFactory.getLogger(PluginHost.class);

    /** Keys of kept versions, apart from file names (no file name holds a NUL) and listed after them. */
    private static final String KEPT_PREFIX = "\u0000kept:";

    private final EventLog events;
    private final Map<String, PluginReport> reports = new TreeMap<>();
    private volatile List<PluginReport> view = List.of();

    PluginReports(EventLog events) {
        this.events = events;
    }

    /** The reports as last published: one per JAR by file name, then the kept versions. Any thread. */
    List<PluginReport> view() {
        return view;
    }

    /** The report of the JAR {@code name}, or null. */
    PluginReport get(String name) {
        return reports.get(name);
    }

    void report(String name, PluginReport r) {
        report(name, r, null);
    }

    /** Records {@code r}; logs it when it changed, with {@code cause}'s stack trace if there is one. */
    void report(String name, PluginReport r, Throwable cause) {
        PluginReport previous = reports.put(name, r);
        if (r.equals(previous)) {
            return;
        }
        publish();
        if (r.isStarted() || r.state() == PluginReport.State.STANDBY) {
            log.info("Plugin {}", r);
        } else {
            log.warn("Plugin JAR {} skipped: {}", name, r.reason(), cause);
            if (previous == null || !Objects.equals(previous.reason(), r.reason())) {
                events.add(name + " " + r.state().name().toLowerCase(Locale.ROOT) + ": " + r.reason());
            }
        }
    }

    /** Shows {@code f} as starting, at once and without logging it (its outcome is logged). */
    void starting(PluginFile f, String reason) {
        reports.put(f.name, f.report(PluginReport.State.STARTING, reason));
        publish();
    }

    /** Records that {@code g}, whose JAR no longer provides it, keeps serving; {@code file} says which JAR. */
    void kept(Generation g, String file, String reason) {
        reports.put(
                KEPT_PREFIX + g.id,
                new PluginReport(
                        file,
                        g.id,
                        g.version,
                        PluginReport.State.KEPT,
                        started(g).extensions(),
                        reason));
    }

    /** Drops the kept report of plugin {@code id}, if any. */
    void notKept(String id) {
        reports.remove(KEPT_PREFIX + id);
    }

    /** Drops the reports of JARs no longer in the folder; kept versions stay. */
    void retainFiles(Set<String> names) {
        reports.keySet().removeIf(n -> !names.contains(n) && !n.startsWith(KEPT_PREFIX));
    }

    /** Republishes {@link #view()}. */
    void publish() {
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
        view = List.copyOf(out);
    }

    /** {@code f}'s report once {@code g}, loaded from it, is active. */
    static PluginReport started(PluginFile f, Generation g) {
        return new PluginReport(
                f.name, g.id, g.version, PluginReport.State.STARTED, started(g).extensions(), null);
    }

    /** What {@code g} provides, as {@code point:name} entries. */
    static PluginReport started(Generation g) {
        List<String> described = new ArrayList<>();
        for (LoadedExtension le : g.extensions) {
            for (ExtensionPoints p : ExtensionPoints.of(le.extension())) {
                described.add(p.key() + ':' + le.name());
            }
        }
        return new PluginReport(g.file, g.id, g.version, PluginReport.State.STARTED, described, null);
    }
}
