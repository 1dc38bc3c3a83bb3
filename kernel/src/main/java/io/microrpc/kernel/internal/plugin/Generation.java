package io.microrpc.kernel.internal.plugin;

import java.lang.ref.WeakReference;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.pf4j.PluginManager;

/**
 * One loaded and started plugin JAR: one version of one plugin id, with its own PF4J manager and
 * class loader. A replaced generation is retired: it drains, its extensions stop, it is unloaded, and
 * its class loader should then become unreachable ({@link #loaderRef()}).
 */
final class Generation {

    private static final AtomicLong SEQUENCE = new AtomicLong();

    final long number;
    final String id;
    final String version;
    final String file;
    final String hash;
    final PluginManager manager;
    final List<LoadedExtension> extensions;
    /** When it was loaded, on the kernel's ticker. */
    final long loadedNanos;

    private final WeakReference<ClassLoader> loaderRef;

    Generation(
            String id,
            String version,
            String file,
            String hash,
            PluginManager manager,
            ClassLoader loader,
            List<LoadedExtension> extensions,
            long loadedNanos) {
        this(
                SEQUENCE.incrementAndGet(),
                id,
                version,
                file,
                hash,
                manager,
                new WeakReference<>(loader),
                extensions,
                loadedNanos);
    }

    private Generation(
            long number,
            String id,
            String version,
            String file,
            String hash,
            PluginManager manager,
            WeakReference<ClassLoader> loaderRef,
            List<LoadedExtension> extensions,
            long loadedNanos) {
        this.number = number;
        this.loadedNanos = loadedNanos;
        this.id = id;
        this.version = version;
        this.file = file;
        this.hash = hash;
        this.manager = manager;
        this.extensions = List.copyOf(extensions);
        this.loaderRef = loaderRef;
    }

    /** The same loaded plugin with other instances of its extensions (after a configuration change). */
    Generation withExtensions(List<LoadedExtension> next) {
        return new Generation(number, id, version, file, hash, manager, loaderRef, next, loadedNanos);
    }

    WeakReference<ClassLoader> loaderRef() {
        return loaderRef;
    }

    @Override
    public String toString() {
        return id + ' ' + version + " #" + number + " (" + file + ')';
    }
}
