package io.microrpc.kernel.internal.plugin;

import java.lang.ref.WeakReference;
import java.util.List;
import org.pf4j.PluginManager;

/**
 * One loaded and started plugin JAR: one version of one plugin id, with its own PF4J manager and
 * class loader. A replaced generation is retired: it drains, its extensions stop, it is unloaded, and
 * its class loader should then become unreachable ({@link #loaderRef()}).
 */
final class Generation {

    private static final java.util.concurrent.atomic.AtomicLong SEQUENCE = new java.util.concurrent.atomic.AtomicLong();

    final long number = SEQUENCE.incrementAndGet();
    final String id;
    final String version;
    final String file;
    final String hash;
    final PluginManager manager;
    final List<LoadedExtension> extensions;
    private final WeakReference<ClassLoader> loaderRef;

    Generation(String id, String version, String file, String hash, PluginManager manager, ClassLoader loader,
               List<LoadedExtension> extensions) {
        this.id = id;
        this.version = version;
        this.file = file;
        this.hash = hash;
        this.manager = manager;
        this.extensions = List.copyOf(extensions);
        this.loaderRef = new WeakReference<>(loader);
    }

    WeakReference<ClassLoader> loaderRef() {
        return loaderRef;
    }

    @Override
    public String toString() {
        return id + ' ' + version + " #" + number + " (" + file + ')';
    }
}
