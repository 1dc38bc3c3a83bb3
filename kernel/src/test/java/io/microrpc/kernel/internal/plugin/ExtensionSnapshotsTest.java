package io.microrpc.kernel.internal.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.testing.AlternatingBalancer;
import io.microrpc.kernel.testing.LoaderLeaks;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the registry keeps of replaced snapshots: those that calls still lease, and nothing once they
 * drained, whatever a caller's optimistic lease ({@link ExtensionSnapshots#acquire()}) does meanwhile. A
 * replaced snapshot the registry kept would keep every plugin it references, and so their class loaders,
 * reachable after they were unloaded.
 */
class ExtensionSnapshotsTest {

    @TempDir
    Path dir;

    @Test
    void aDrainedSnapshotIsNotKeptWhenAStaleCallerLeasedItJustAsTheHostPurged() {
        ExtensionSnapshots registry = new ExtensionSnapshots(
                KernelSettings.builder().pluginsDir(dir).build(), new EventLog(Clock.systemUTC()));
        registry.publish(List.of(new LoadedExtension(new AlternatingBalancer(), "lb-old", "1.0.0")));

        WeakReference<Extensions> old = replaceWhileAStaleCallerLeases(registry);

        LoaderLeaks.assertCollected("the drained, replaced snapshot", old, Duration.ofSeconds(10));
        assertThat(registry.replacedSnapshots()).isEmpty();
    }

    /**
     * Replaces the current snapshot and plays, step by step, the interleaving seen in a heap dump of a
     * swap test under CPU contention; returns the replaced snapshot, weakly.
     */
    private static WeakReference<Extensions> replaceWhileAStaleCallerLeases(ExtensionSnapshots registry) {
        Extensions old = registry.acquire();
        // A call runs on the old snapshot; another caller reads it too and is descheduled before it counts
        // its lease. A new version is published; the host retires the old plugin, waiting for old's calls.
        registry.publish(List.of(new LoadedExtension(new AlternatingBalancer(), "lb-new", "1.0.1")));
        assertThat(registry.replacedSnapshots()).containsExactly(old);
        // The call completes: old has drained, and the host unloads the old plugin...
        old.release();
        assertThat(old.leases()).isZero();
        // ...while the descheduled caller counts its lease, just as the host purges drained snapshots...
        old.retain();
        assertThat(registry.replacedSnapshots()).containsExactly(old);
        // ...then sees that old is no longer current and gives the lease back. Nothing uses old any more.
        old.release();
        return new WeakReference<>(old);
    }
}
