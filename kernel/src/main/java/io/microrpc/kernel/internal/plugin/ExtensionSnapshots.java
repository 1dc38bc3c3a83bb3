package io.microrpc.kernel.internal.plugin;

import io.microrpc.kernel.config.KernelSettings;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Extensions} snapshots: the current one, which every call leases ({@link #acquire()}), and
 * the replaced ones calls may still use, which retired plugins wait for. Readers (every call) do one
 * volatile read; writers (plugin lifecycle, switches, configuration reloads) replace the snapshot with
 * one atomic write. Thread-safe.
 */
public final class ExtensionSnapshots {

    private static final Logger log = LoggerFactory.getLogger(ExtensionSnapshots.class);

    private final AtomicReference<Extensions> current;
    private final Remedies remedies;
    private final EventLog events;
    /**
     * Replaced snapshots that calls may still use, held weakly: a call that uses one holds it strongly
     * until it releases its lease, and one that no call holds must not be kept alive here, or every plugin
     * it references stays reachable after its unload (a late optimistic lease in {@link #acquire()} can
     * make a drained snapshot look in use just when the host purges this list, and nothing purged it
     * again until the next publish).
     */
    private final List<WeakReference<Extensions>> replaced = new ArrayList<>();

    private final List<Consumer<Extensions>> listeners = new CopyOnWriteArrayList<>();

    public ExtensionSnapshots(KernelSettings settings, EventLog events) {
        this.remedies = new Remedies(settings.pluginsDir().toString());
        this.events = events;
        this.current = new AtomicReference<>(Extensions.of(List.of(), Selections.from(settings), remedies));
    }

    /** The current snapshot, without a lease: for reports and for code that does not call extensions. */
    public Extensions current() {
        return current.get();
    }

    /** Which JAR provided which extension name, for the remedies of error messages. */
    public Remedies remedies() {
        return remedies;
    }

    /**
     * The current snapshot with a lease that keeps its plugins loaded until {@link Extensions#release()}.
     * Every call takes one lease when it starts and releases it when its future completes, so a replaced
     * plugin is unloaded only after the calls that use it finished.
     *
     * <p>The lease is counted before the snapshot is confirmed current: a snapshot that stopped being
     * current in between is released again and the read retried, so a drained snapshot never gains a
     * user.
     */
    public Extensions acquire() {
        while (true) {
            Extensions e = current.get();
            e.retain();
            if (current.get() == e) {
                return e;
            }
            e.release();
        }
    }

    /** Publishes a snapshot of {@code extensions} with one atomic write and returns the previous one. */
    public synchronized Extensions publish(List<LoadedExtension> extensions) {
        return replace(current.get().withExtensions(extensions));
    }

    /**
     * Publishes the current extensions with other selections: the switch of a point's active extension.
     * No plugin is unloaded, so the previous snapshot needs no draining.
     */
    public synchronized Extensions select(UnaryOperator<Selections> change) {
        Extensions now = current.get();
        Extensions next = now.withSelections(change.apply(now.selections()));
        replace(next);
        return next;
    }

    /**
     * Publishes other extensions and other selections together, with one atomic write (a configuration
     * reload); {@code change} applies to the selections current at that moment, so a concurrent switch is
     * not lost.
     */
    public synchronized Extensions publish(List<LoadedExtension> extensions, UnaryOperator<Selections> change) {
        Extensions next = Extensions.of(extensions, change.apply(current.get().selections()), remedies);
        replace(next);
        return next;
    }

    /** Calls {@code listener} with every snapshot published from now on, on the publishing thread. */
    public void onPublish(Consumer<Extensions> listener) {
        listeners.add(listener);
    }

    private Extensions replace(Extensions next) {
        Extensions previous = current.getAndSet(next);
        for (String f : next.fallbacks()) {
            if (!previous.fallbacks().contains(f)) {
                log.warn("{}", f);
                events.add(f);
            }
        }
        listeners.forEach(l -> l.accept(next));
        replaced.add(new WeakReference<>(previous));
        replaced.removeIf(r -> {
            Extensions e = r.get();
            return e == null || (e.leases() <= 0 && e != previous);
        });
        return previous;
    }

    /**
     * Every snapshot replaced so far that may still be in use. A plugin that left the current snapshot
     * may be unloaded once all of these have drained.
     */
    public synchronized List<Extensions> replacedSnapshots() {
        List<Extensions> inUse = new ArrayList<>();
        for (Iterator<WeakReference<Extensions>> it = replaced.iterator(); it.hasNext(); ) {
            Extensions e = it.next().get();
            if (e == null || e.leases() <= 0) {
                it.remove();
            } else {
                inUse.add(e);
            }
        }
        return inUse;
    }
}
