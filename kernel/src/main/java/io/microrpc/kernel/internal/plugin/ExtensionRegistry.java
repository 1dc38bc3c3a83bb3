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

    public Extensions current() {
        return current.get();
    }

    /** Publishes a snapshot of {@code extensions} and returns it. */
    public Extensions publish(List<LoadedExtension> extensions) {
        Extensions next = Extensions.of(extensions, settings);
        current.set(next);
        return next;
    }
}
