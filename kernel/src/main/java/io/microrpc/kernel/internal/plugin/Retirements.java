package io.microrpc.kernel.internal.plugin;

import io.microrpc.spi.Durations;
import io.microrpc.spi.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the plugin host has taken out of service and not yet let go: generations that wait for their
 * calls to finish before they are unloaded (their class loaders are then watched by the
 * {@link LoaderLeakWatch}), and extension instances a configuration change replaced that wait to be
 * stopped. Owned by {@link PluginHost} and used on the plugin lifecycle thread only, like it; not
 * thread-safe.
 */
final class Retirements {

    private static final Logger log = LoggerFactory.getLogger(Retirements.class);

    private final PluginLoader loader;
    private final ExtensionSnapshots snapshots;
    private final Ticker ticker;
    private final List<Retirement> waiting = new ArrayList<>();
    private final LoaderLeakWatch leaks;
    private volatile long unloaded;

    Retirements(PluginLoader loader, ExtensionSnapshots snapshots, Ticker ticker, LoaderLeakWatch leaks) {
        this.loader = loader;
        this.snapshots = snapshots;
        this.ticker = ticker;
        this.leaks = leaks;
    }

    /** Unloads {@code g} once every snapshot published before now has drained. */
    void generation(Generation g, Generation successor) {
        waiting.add(new Retirement(g, g.extensions, successor, snapshots.replacedSnapshots(), ticker.nanoTime()));
    }

    /** Stops {@code instances} (replaced by new ones of the same plugin) once every snapshot published before now has drained. */
    void instances(List<LoadedExtension> instances) {
        waiting.add(new Retirement(null, instances, null, snapshots.replacedSnapshots(), ticker.nanoTime()));
    }

    /** The generations still draining. */
    List<Generation> draining() {
        return waiting.stream()
                .filter(r -> r.generation != null)
                .map(r -> r.generation)
                .toList();
    }

    /**
     * At shutdown: everything still waiting, drained or not, for the caller to unload and stop; nothing
     * waits any more.
     */
    Pending takeAll() {
        List<Generation> generations = new ArrayList<>();
        List<LoadedExtension> instances = new ArrayList<>();
        for (Retirement r : waiting) {
            if (r.generation == null) {
                instances.addAll(r.instances);
            } else {
                generations.add(r.generation);
            }
        }
        waiting.clear();
        return new Pending(generations, instances);
    }

    /** Generations to unload and replaced instances to stop. */
    record Pending(List<Generation> generations, List<LoadedExtension> instances) {}

    /**
     * Unloads retired generations (and stops replaced instances) whose calls have finished, or whose
     * drain ({@code plugins.drain-timeout}) timed out.
     *
     * @return true while some retirement is still waiting
     */
    @SuppressWarnings("NonAtomicVolatileUpdate") // one writer (this class is confined); volatile for readers
    boolean drain(Duration drainTimeout) {
        long now = ticker.nanoTime();
        for (Retirement r : new ArrayList<>(waiting)) {
            boolean drained = r.snapshots.stream().allMatch(s -> s.leases() <= 0);
            boolean timedOut = now - r.startNanos > drainTimeout.toNanos();
            if (!drained && !timedOut) {
                continue;
            }
            waiting.remove(r);
            long drainMs = TimeUnit.NANOSECONDS.toMillis(now - r.startNanos);
            if (r.generation == null) {
                loader.stop(r.instances);
                log.info("Stopped the previous instances of {} after {} ms", r.instances, drainMs);
                continue;
            }
            unloaded++;
            loader.unload(r.generation);
            if (timedOut && !drained) {
                log.warn(
                        "Plugin {} {}: calls still running after plugins.drain-timeout {}; unloaded anyway",
                        r.generation.id,
                        r.generation.version,
                        Durations.format(drainTimeout));
            }
            log.info(
                    "Plugin {} {} -> {}: drained in {} ms, unloaded",
                    r.generation.id,
                    r.generation.version,
                    r.successor == null ? "removed" : r.successor.version,
                    drainMs);
            leaks.unloaded(r.generation, now);
        }
        // Drop drained snapshots now: a replaced snapshot kept in a list pins the plugins it references.
        snapshots.replacedSnapshots();
        return !waiting.isEmpty();
    }

    /** Generations unloaded so far (replaced, removed or rolled back), for metrics. */
    long unloaded() {
        return unloaded;
    }

    /** A generation to unload, or (generation null) replaced instances to stop, once their calls drained. */
    private static final class Retirement {
        final Generation generation;
        final List<LoadedExtension> instances;
        final Generation successor;
        final List<Extensions> snapshots;
        final long startNanos;

        Retirement(
                Generation generation,
                List<LoadedExtension> instances,
                Generation successor,
                List<Extensions> snapshots,
                long startNanos) {
            this.generation = generation;
            this.instances = instances;
            this.successor = successor;
            this.snapshots = snapshots;
            this.startNanos = startNanos;
        }
    }
}
