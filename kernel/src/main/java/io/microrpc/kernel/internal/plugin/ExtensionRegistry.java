package io.microrpc.kernel.internal.plugin;

import io.microrpc.kernel.config.KernelSettings;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Publishes the current {@link Extensions} snapshot. Readers (every call) do one volatile read;
 * writers (plugin lifecycle) replace the snapshot with one atomic write. Thread-safe.
 */
public final class ExtensionRegistry {

    private final KernelSettings settings;
    private final AtomicReference<Extensions> current;

    public ExtensionRegistry(KernelSettings settings) {
        this.settings = settings;
        this.current = new AtomicReference<>(Extensions.of(List.of(), settings));
    }

    /** The current snapshot, without a lease: for reports and for code that does not call extensions. */
    public Extensions current() {
        return current.get();
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
    public Extensions publish(List<LoadedExtension> extensions) {
        return current.getAndSet(Extensions.of(extensions, settings));
    }
}
