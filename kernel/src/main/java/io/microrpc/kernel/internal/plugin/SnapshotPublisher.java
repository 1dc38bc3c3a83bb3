package io.microrpc.kernel.internal.plugin;

import io.microrpc.kernel.config.KernelSettings;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The active generation of each plugin id and the application's embedded extensions, and their
 * publication to calls as one {@link Extensions} snapshot: the swap listener (service plugins'
 * re-export) runs first, then one atomic write. Used on the plugin lifecycle thread only; not
 * thread-safe.
 */
final class SnapshotPublisher {

    private final ExtensionSnapshots snapshots;
    private final List<LoadedExtension> embedded;
    private final PluginHost.SwapListener listener;
    private final Map<String, Generation> active = new TreeMap<>();

    SnapshotPublisher(ExtensionSnapshots snapshots, List<LoadedExtension> embedded, PluginHost.SwapListener listener) {
        this.snapshots = snapshots;
        this.embedded = List.copyOf(embedded);
        this.listener = listener;
    }

    /** The active generations by plugin id, as a copy. */
    Map<String, Generation> active() {
        return new TreeMap<>(active);
    }

    /** The active generations, in plugin id order. */
    Collection<Generation> generations() {
        return active.values();
    }

    Generation active(String id) {
        return active.get(id);
    }

    /** The application's own extensions, which stay until the kernel closes. */
    List<LoadedExtension> embedded() {
        return embedded;
    }

    /** Makes {@code next} the active generations; calls see them once {@link #publish()} ran. */
    void activate(Map<String, Generation> next) {
        active.clear();
        active.putAll(next);
    }

    /** Replaces the instances of extensions of active generations by those {@code fresh} maps them to. */
    void replaceInstances(Map<LoadedExtension, LoadedExtension> fresh) {
        for (Map.Entry<String, Generation> e : active.entrySet()) {
            Generation g = e.getValue();
            if (g.extensions.stream().anyMatch(fresh::containsKey)) {
                e.setValue(g.withExtensions(g.extensions.stream()
                        .map(le -> fresh.getOrDefault(le, le))
                        .toList()));
            }
        }
    }

    /** Publishes the active extensions to new calls. */
    void publish() {
        listener.beforePublish(all());
        snapshots.publish(all());
    }

    /** Publishes the active extensions together with the selections of {@code next}, the settings of a reload. */
    void publish(KernelSettings next) {
        List<LoadedExtension> all = all();
        listener.beforePublish(all);
        snapshots.publish(all, selections -> selections.reconfigured(next));
    }

    /** Every extension loaded but those of {@code g}: what could stand in for {@code g}'s. */
    List<LoadedExtension> extensionsBesides(Generation g) {
        List<LoadedExtension> others = new ArrayList<>(embedded);
        active.values().stream().filter(o -> o != g).forEach(o -> others.addAll(o.extensions));
        return others;
    }

    /** At shutdown: every active generation, none active any more (nothing is published). */
    List<Generation> takeAll() {
        List<Generation> all = new ArrayList<>(active.values());
        active.clear();
        return all;
    }

    private List<LoadedExtension> all() {
        List<LoadedExtension> all = new ArrayList<>(embedded);
        for (Generation g : active.values()) {
            all.addAll(g.extensions);
        }
        return all;
    }
}
