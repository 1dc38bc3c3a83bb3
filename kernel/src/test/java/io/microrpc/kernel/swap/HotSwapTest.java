package io.microrpc.kernel.swap;

import static io.microrpc.kernel.testing.PluginJarBuilder.plugin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.plugin.PluginReport;
import io.microrpc.kernel.testing.CallerLoad;
import io.microrpc.kernel.testing.EchoApi;
import io.microrpc.kernel.testing.EchoServers;
import io.microrpc.kernel.testing.JavaTestSerializer;
import io.microrpc.kernel.testing.PluginJarBuilder;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

    @BeforeEach
    void setUp() throws IOException {
        SwapProbe.reset();
        pluginsDir = Files.createDirectories(dir.resolve("plugins"));
        servers = new EchoServers(2, dir);
    }

    private void startClient(boolean embeddedSerializer) {
        KernelSettings s = KernelSettings.builder().serializer("java-test").pluginsDir(pluginsDir)
                .dataDir(dir.resolve("client-data")).pluginsWatchDebounce(Duration.ofMillis(50)).build();
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

    private static PluginJarBuilder balancer(String version) {
        return plugin("lb-versioned").version(version).extension(VersionedBalancer.class)
                .resource("swap-version.txt", version);
    }

    private static PluginJarBuilder serializer(String version) {
        return plugin("codec-versioned").version(version).extension(VersionedSerializer.class)
                .withClass(VersionedBalancer.class).withClass(JavaTestSerializer.class).resource("swap-version.txt", version);
    }

    private static PluginJarBuilder filter(String version) {
        return plugin("filter-versioned").version(version).extension(VersionedFilter.class)
                .withClass(VersionedBalancer.class).resource("swap-version.txt", version);
    }

    @Test
    void loadBalancerSwapped50TimesUnderLoadFailsNoCallAndLeaksNoLoader() throws Exception {
        balancer("1.0.0").writeTo(pluginsDir, "lb-versioned.jar");
        startClient(true);
        swapRepeatedly("lb", "lb-versioned.jar", HotSwapTest::balancer);
    }

    @Test
    void serializerSwappedUnderLoadFailsNoCallAndLeaksNoLoader() throws Exception {
        serializer("1.0.0").writeTo(pluginsDir, "codec-versioned.jar");
        balancer("1.0.0").writeTo(pluginsDir, "lb-versioned.jar");
        startClient(false);
        swapRepeatedly("serializer", "codec-versioned.jar", HotSwapTest::serializer);
    }

    @Test
    void filterSwappedUnderLoadFailsNoCallAndLeaksNoLoader() throws Exception {
        filter("1.0.0").writeTo(pluginsDir, "filter-versioned.jar");
        balancer("1.0.0").writeTo(pluginsDir, "lb-versioned.jar");
        startClient(true);
        swapRepeatedly("filter", "filter-versioned.jar", HotSwapTest::filter);
    }

    private static PluginJarBuilder policy(String version) {
        return plugin("policy-versioned").version(version).extension(VersionedPolicy.class)
                .withClass(VersionedBalancer.class).resource("swap-version.txt", version);
    }

    @Test
    void clusterPolicySwappedUnderLoadFailsNoCallAndLeaksNoLoader() throws Exception {
        policy("1.0.0").writeTo(pluginsDir, "policy-versioned.jar");
        balancer("1.0.0").writeTo(pluginsDir, "lb-versioned.jar");
        startClient(true);
        swapRepeatedly("policy", "policy-versioned.jar", HotSwapTest::policy);
    }

    private void swapRepeatedly(String point, String file, java.util.function.Function<String, PluginJarBuilder> jar)
            throws Exception {
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
        assertThat(load.failures()).as("failed calls during %d swaps of %s", SWAPS, point).isEmpty();
        assertThat(SwapProbe.calls(point, "1.0.0")).isPositive();
        assertThat(SwapProbe.calls(point, "1.0." + (SWAPS + 1))).isPositive();
        assertThat(client.plugins()).filteredOn(r -> r.file().equals(file))
                .singleElement().extracting(PluginReport::version).isEqualTo("1.0." + (SWAPS + 1));
    }

    /**
     * The class loader of {@code point}'s {@code version} becomes unreachable once it was replaced. Asks
     * for a collection at most every 50 ms, with some allocation pressure, so the callers keep running
     * between collections (back-to-back full collections would starve them into timeouts).
     *
     * <p>If the loader survives 10 s, the caller threads are replaced and the check runs again: a
     * compiled frame of a caller's endless loop (OSR code that inlined the old plugin's method) keeps
     * the class alive while that frame lives, which is the JVM's doing, not a reference the kernel
     * holds. A loader that survives new callers too is a leak, and the test fails naming it.
     */
    private void assertCollected(String point, String version) {
        WeakReference<ClassLoader> ref = SwapProbe.loader(point, version);
        assertThat(ref).as("version %s of %s served calls", version, point).isNotNull();
        if (collected(ref, Duration.ofSeconds(10))) {
            return;
        }
        System.err.println("HotSwapTest: " + point + " " + version + " not collected within 10 s; replacing the caller threads");
        load.stop();
        load.start();
        if (!collected(ref, Duration.ofSeconds(20))) {
            throw new AssertionError("class loader of " + point + " " + version + " still reachable after it was "
                    + "replaced, even with new caller threads: " + ref.get());
        }
    }

    private static boolean collected(WeakReference<ClassLoader> ref, Duration within) {
        try {
            await().atMost(within).pollInterval(Duration.ofMillis(50)).until(() -> {
                byte[][] pressure = new byte[16][];
                for (int i = 0; i < pressure.length; i++) {
                    pressure[i] = new byte[1 << 20];
                }
                System.gc();
                return ref.get() == null;
            });
            return true;
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            return false;
        }
    }
}
