package io.microrpc.kernel.internal.plugin;

import io.microrpc.spi.Ticker;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the class loaders of unloaded generations, which should become unreachable: a loader that
 * survives a full collection is a leak (something still references the plugin). Holds each loader
 * weakly. Used on the plugin lifecycle thread only; not thread-safe.
 */
final class LoaderLeakWatch {

    private static final Logger log = LoggerFactory.getLogger(LoaderLeakWatch.class);

    private final Ticker ticker;
    private final List<UnloadedLoader> watched = new ArrayList<>();

    LoaderLeakWatch(Ticker ticker) {
        this.ticker = ticker;
    }

    /** Starts watching the class loader of {@code g}, unloaded at {@code now}. */
    void unloaded(Generation g, long now) {
        watched.add(new UnloadedLoader(g.toString(), g.loaderRef(), now, oldCollections()));
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
    boolean check() {
        long now = ticker.nanoTime();
        for (UnloadedLoader c : new ArrayList<>(watched)) {
            if (c.loader.get() == null) {
                log.info("Plugin {}: old class loader collected", c.generation);
                watched.remove(c);
            } else if (oldCollections() > c.oldCollectionsAtUnload + 1
                    && now - c.sinceNanos > TimeUnit.SECONDS.toNanos(5)) {
                log.warn(
                        "Plugin {}: old class loader still reachable after a full collection. Either something keeps a "
                                + "reference to the plugin (a thread, a static cache, a shutdown hook: a leak that grows with each "
                                + "swap), or callers still run JIT-compiled code that inlined it (harmless: it goes when the code "
                                + "is compiled again or the calls stop; docs/HOT-SWAP.md, \"Proving the swap tests\")",
                        c.generation);
                watched.remove(c);
            } else if (now - c.sinceNanos > TimeUnit.SECONDS.toNanos(60)) {
                log.info(
                        "Plugin {}: old class loader not collected yet, and no full collection ran since it was "
                                + "unloaded; not a leak by itself",
                        c.generation);
                watched.remove(c);
            }
        }
        return !watched.isEmpty();
    }

    /** Weak references to the class loaders of every generation unloaded so far and not yet checked. */
    List<WeakReference<ClassLoader>> loaders() {
        return watched.stream().map(c -> c.loader).collect(Collectors.toList());
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

    /** An unloaded generation whose class loader should become unreachable; holds nothing of it strongly. */
    private record UnloadedLoader(
            String generation, WeakReference<ClassLoader> loader, long sinceNanos, long oldCollectionsAtUnload) {}
}
