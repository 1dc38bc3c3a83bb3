package io.microrpc.kernel.swap;

import static io.microrpc.kernel.swap.VersionedJars.balancer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.plugin.PluginReport;
import io.microrpc.kernel.testing.CallerLoad;
import io.microrpc.kernel.testing.EchoApi;
import io.microrpc.kernel.testing.EchoServers;
import io.microrpc.kernel.testing.JavaTestSerializer;
import io.microrpc.kernel.testing.LoaderLeaks;
import io.microrpc.kernel.testing.PluginJarBuilder;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replaces plugins of a running client kernel under continuous load, through the real plugins folder,
 * watcher and PF4J: no call may fail, both versions must serve, and every old class loader must become
 * unreachable.
 */
class HotSwapTest {

    private static final int SWAPS = 50;
    private static final int CALLERS = 8;

    @TempDir
    Path dir;

    private EchoServers servers;
    private MicroRpc client;
    private Path pluginsDir;
    private CallerLoad load;
    /** Replaced loaders that only the JVM held while the callers ran, by name; checked once they stop. */
    private final Map<String, WeakReference<ClassLoader>> heldOutsideTheHeap = new LinkedHashMap<>();

    @BeforeEach
    void setUp() throws IOException {
        SwapProbe.reset();
        pluginsDir = Files.createDirectories(dir.resolve("plugins"));
        servers = new EchoServers(2, dir);
    }

    private void startClient(boolean embeddedSerializer) {
        KernelSettings s = KernelSettings.builder()
                .callSerializer("java-test")
                .pluginsDir(pluginsDir)
                .dataDir(dir.resolve("client-data"))
                .pluginsWatchDebounce(Duration.ofMillis(50))
                .build();
        MicroRpc.Builder b = MicroRpc.builder().settings(s);
        if (embeddedSerializer) {
            b.extension(new JavaTestSerializer());
        }
        client = b.start();
        EchoApi echo = client.reference(EchoApi.class, servers.referenceOptions());
        load = new CallerLoad(echo, CALLERS);
    }

    @AfterEach
    void tearDown() {
        if (load != null) {
            load.stop();
        }
        if (client != null) {
            client.close();
        }
        servers.close();
    }

    @Test
    void loadBalancerSwapped50TimesUnderLoadFailsNoCallAndLeaksNoLoader() throws Exception {
        balancer("1.0.0").writeTo(pluginsDir, "lb-versioned.jar");
        startClient(true);
        swapRepeatedly("lb", "lb-versioned.jar", VersionedJars::balancer);
    }

    @Test
    void serializerSwappedUnderLoadFailsNoCallAndLeaksNoLoader() throws Exception {
        VersionedJars.codec("1.0.0").writeTo(pluginsDir, "codec-versioned.jar");
        balancer("1.0.0").writeTo(pluginsDir, "lb-versioned.jar");
        startClient(false);
        swapRepeatedly("serializer", "codec-versioned.jar", VersionedJars::codec);
    }

    @Test
    void filterSwappedUnderLoadFailsNoCallAndLeaksNoLoader() throws Exception {
        VersionedJars.filter("1.0.0").writeTo(pluginsDir, "filter-versioned.jar");
        balancer("1.0.0").writeTo(pluginsDir, "lb-versioned.jar");
        startClient(true);
        swapRepeatedly("filter", "filter-versioned.jar", VersionedJars::filter);
    }

    @Test
    void clusterPolicySwappedUnderLoadFailsNoCallAndLeaksNoLoader() throws Exception {
        VersionedJars.policy("1.0.0").writeTo(pluginsDir, "policy-versioned.jar");
        balancer("1.0.0").writeTo(pluginsDir, "lb-versioned.jar");
        startClient(true);
        swapRepeatedly("policy", "policy-versioned.jar", VersionedJars::policy);
    }

    private void swapRepeatedly(String point, String file, Function<String, PluginJarBuilder> jar) throws Exception {
        load.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> SwapProbe.calls(point, "1.0.0") > 0);
        for (int i = 2; i <= SWAPS + 1; i++) {
            String previous = i == 2 ? "1.0.0" : "1.0." + (i - 1);
            String version = "1.0." + i;
            long before = load.calls();
            jar.apply(version).writeTo(pluginsDir, file);
            await().atMost(Duration.ofSeconds(10)).until(() -> SwapProbe.calls(point, version) > 0);
            await().atMost(Duration.ofSeconds(10)).until(() -> load.calls() > before + CALLERS);
            assertCollected(point, previous);
        }
        load.stop();
        heldOutsideTheHeap.forEach((what, ref) -> LoaderLeaks.assertCollected(
                what + ", held outside the heap while " + "the callers ran, after they stopped",
                ref,
                Duration.ofSeconds(30)));
        assertThat(load.failures())
                .as("failed calls during %d swaps of %s", SWAPS, point)
                .isEmpty();
        assertThat(SwapProbe.calls(point, "1.0.0")).isPositive();
        assertThat(SwapProbe.calls(point, "1.0." + (SWAPS + 1))).isPositive();
        assertThat(client.plugins())
                .filteredOn(r -> r.file().equals(file))
                .singleElement()
                .extracting(PluginReport::version)
                .isEqualTo("1.0." + (SWAPS + 1));
    }

    /**
     * The class loader of {@code point}'s {@code version} becomes unreachable once it was replaced. Asks
     * for a collection at most every 50 ms, with some allocation pressure, so the callers keep running
     * between collections (back-to-back full collections would starve them into timeouts).
     *
     * <p>A loader still there after 10 s is examined in a heap dump ({@link LoaderLeaks}). If a chain of
     * references from a GC root holds it, that is a leak, and the test fails naming the chain. If none
     * does, the JVM holds it outside the heap, and what does here is compiled code: C2 compiled the
     * callers' path (the proxy call down to the plugin's method) while that version was the one being
     * called, inlining its method behind a type check, and the callers wait for each response inside that
     * compiled code, so some caller is always running it; new caller threads run the same code. Such a
     * loader must be collected once the callers stop, which {@link #swapRepeatedly} checks. Seen under
     * CPU contention about once in 2,000 swaps (the cluster policy's 1.0.26: no path from a GC root among
     * 212,745 objects), and reproduced outside the kernel with a URLClassLoader, eight caller threads and
     * nothing else: the old loader survived System.gc() while they ran, with new threads too, and went
     * once they stopped; never with -XX:-UseTypeProfile.
     */
    private void assertCollected(String point, String version) {
        WeakReference<ClassLoader> ref = SwapProbe.loader(point, version);
        assertThat(ref).as("version %s of %s served calls", version, point).isNotNull();
        if (LoaderLeaks.awaitCollected(ref, Duration.ofSeconds(10))) {
            return;
        }
        String what = "class loader of " + point + " " + version + " (replaced)";
        LoaderLeaks.Retention held = LoaderLeaks.retention(ref, what);
        if (held == null) {
            return;
        }
        if (held.inHeap()) {
            throw new AssertionError(what + " still reachable 10 s after it was replaced. " + held);
        }
        System.err.println("HotSwapTest: " + what + " still there after 10 s, held outside the heap (" + held
                + "); checked again once the callers stop");
        heldOutsideTheHeap.put(what, ref);
    }
}
