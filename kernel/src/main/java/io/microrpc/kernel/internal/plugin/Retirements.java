package io.microrpc.kernel.internal.plugin;

import io.microrpc.spi.Durations;
import io.microrpc.spi.Ticker;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the plugin host has taken out of service and not yet let go: generations that wait for their
 * calls to finish before they are unloaded, extension instances a configuration change replaced that
 * wait to be stopped, and unloaded generations whose class loaders should then be collected. Owned by
 * {@link PluginHost} and used on the plugin lifecycle thread only, like it; not thread-safe.
 */
final class Retirements {

    private static final Logger log = LoggerFactory.getLogger(Retirements.class);

    private final PluginLoader loader;
    private final ExtensionRegistry registry;
    private final Ticker ticker;
    private final List<Retirement> waiting = new ArrayList<>();
    private final List<Collection> collected = new ArrayList<>();
    private volatile long unloaded;

    Retirements(PluginLoader loader, ExtensionRegistry registry, Ticker ticker) {
        this.loader = loader;
        this.registry = registry;
        this.ticker = ticker;
    }

    /** Unloads {@code g} once every snapshot published before now has drained. */
    void generation(Generation g, Generation successor) {
        waiting.add(new Retirement(g, g.extensions, successor, registry.replacedSnapshots(), ticker.nanoTime()));
    }

    /** Stops {@code instances} (replaced by new ones of the same plugin) once every snapshot published before now has drained. */
    void instances(List<LoadedExtension> instances) {
        waiting.add(new Retirement(null, instances, null, registry.replacedSnapshots(), ticker.nanoTime()));
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
            collected.add(new Collection(r.generation.toString(), r.generation.loaderRef(), now, oldCollections()));
        }
        // Drop drained snapshots now: a replaced snapshot kept in a list pins the plugins it references.
        registry.replacedSnapshots();
        return !waiting.isEmpty();
    }

    /** Generations unloaded so far (replaced, removed or rolled back), for metrics. */
    long unloaded() {
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
    boolean checkCollected() {
        long now = ticker.nanoTime();
        for (Collection c : new ArrayList<>(collected)) {
            if (c.loader.get() == null) {
                log.info("Plugin {}: old class loader collected", c.generation);
                collected.remove(c);
            } else if (oldCollections() > c.oldCollectionsAtUnload + 1
                    && now - c.sinceNanos > TimeUnit.SECONDS.toNanos(5)) {
                log.warn(
                        "Plugin {}: old class loader still reachable after a full collection. Either something keeps a "
                                + "reference to the plugin (a thread, a static cache, a shutdown hook: a leak that grows with each "
                                + "swap), or callers still run JIT-compiled code that inlined it (harmless: it goes when the code "
                                + "is compiled again or the calls stop; docs/HOT-SWAP.md, \"Proving the swap tests\")",
                        c.generation);
                collected.remove(c);
            } else if (now - c.sinceNanos > TimeUnit.SECONDS.toNanos(60)) {
                log.info(
                        "Plugin {}: old class loader not collected yet, and no full collection ran since it was "
                                + "unloaded; not a leak by itself",
                        c.generation);
                collected.remove(c);
            }
        }
        return !collected.isEmpty();
    }

    /** Old-generation (full or concurrent) collections so far, over all collectors. */
    private static long oldCollections() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            String name = gc.getName();
            if (!name.contains("Young")
                    && !name.contains("Scavenge")
                    && !name.contains("Copy")
                    && !name.contains("ParNew")
                    && gc.getCollectionCount() > 0) {
                n += gc.getCollectionCount();
            }
        }
        return n;
    }

    /** Weak references to the class loaders of every generation unloaded so far and not yet checked. */
    List<WeakReference<ClassLoader>> unloadedLoaders() {
        return collected.stream().map(c -> c.loader).collect(Collectors.toList());
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

    /** An unloaded generation whose class loader should become unreachable; holds nothing of it strongly. */
    private static final class Collection {
        final String generation;
        final WeakReference<ClassLoader> loader;
        final long sinceNanos;
        final long oldCollectionsAtUnload;

        Collection(String generation, WeakReference<ClassLoader> loader, long sinceNanos, long oldCollectionsAtUnload) {
            this.generation = generation;
            this.loader = loader;
            this.sinceNanos = sinceNanos;
            this.oldCollectionsAtUnload = oldCollectionsAtUnload;
        }
    }
}
