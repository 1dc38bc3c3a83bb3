package io.microrpc.kernel.swap;

import static io.microrpc.kernel.swap.VersionedJars.balancer;
import static io.microrpc.kernel.testing.PluginJarBuilder.plugin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.plugin.KernelEvent;
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
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ways operators really change a plugins folder, each under load through real connections: a new
 * release renamed in and the old one deleted at once, delete then add, a downgrade, two plugins in one
 * change, a symlink swap of the whole folder, a slow non-atomic copy of a large JAR, a corrupt or
 * broken replacement, and the removal of a strategy switched to at runtime. No call may fail, and every
 * replaced class loader must be collected.
 */
class OperatorSequencesTest {

    private static final Duration DEBOUNCE = Duration.ofMillis(100);

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

    /**
     * Starts the client kernel on {@code folder}: its load balancer comes from plugins there, and its
     * serializer too when the folder holds the codec plugin, else from the application.
     */
    private void startClient(Path folder, String loadBalancer) throws IOException {
        KernelSettings s = KernelSettings.builder()
                .callSerializer("java-test")
                .pluginsDir(folder)
                .loadbalancer(loadBalancer)
                .dataDir(dir.resolve("client-data"))
                .pluginsWatchDebounce(DEBOUNCE)
                .build();
        MicroRpc.Builder b = MicroRpc.builder().settings(s);
        try (var files = Files.list(folder)) {
            if (files.noneMatch(f -> f.getFileName().toString().startsWith("plugin-codec"))) {
                b.extension(new JavaTestSerializer());
            }
        }
        client = b.start();
        EchoApi echo = client.reference(EchoApi.class, servers.referenceOptions());
        load = new CallerLoad(echo, 4).start();
        callsContinue();
    }

    private void callsContinue() {
        long before = load.calls();
        await().atMost(Duration.ofSeconds(10)).until(() -> load.calls() > before + 50);
    }

    private static String codecJar(String version) {
        return "plugin-codec-versioned-" + version + ".jar";
    }

    private static String lbJar(String version) {
        return "plugin-lb-versioned-" + version + ".jar";
    }

    /** The operator's timing between two steps of a sequence (not a synchronisation: nothing is waited for). */
    private static void pause(Duration d) {
        LockSupport.parkNanos(d.toNanos());
    }

    private void servedBy(String point, String version) {
        long before = SwapProbe.calls(point, version);
        await().atMost(Duration.ofSeconds(15)).until(() -> SwapProbe.calls(point, version) > before);
    }

    private void noCallFailed() {
        load.stop();
        assertThat(load.failures()).as("failed calls").isEmpty();
    }

    /** The callers have stopped (see {@link #noCallFailed}), so nothing but a leak may hold the loader. */
    private static void assertCollected(String point, String version) {
        WeakReference<ClassLoader> ref = SwapProbe.loader(point, version);
        assertThat(ref).as("%s %s served calls", point, version).isNotNull();
        LoaderLeaks.assertCollected(
                "class loader of " + point + " " + version + " (replaced)", ref, Duration.ofSeconds(30));
    }

    private String events() {
        return client.events(0).stream().map(KernelEvent::text).collect(Collectors.joining("\n"));
    }

    private PluginReport report(String file) {
        return client.plugins().stream()
                .filter(r -> r.file().startsWith(file))
                .findFirst()
                .orElse(null);
    }

    @Test
    void newReleaseRenamedInAndOldDeletedAtOnce() throws Exception {
        VersionedJars.codec("1.0.0").writeTo(pluginsDir, codecJar("1.0.0"));
        balancer("1.0.0").writeTo(pluginsDir, lbJar("1.0.0"));
        startClient(pluginsDir, "");
        servedBy("serializer", "1.0.0");

        // mv new.jar plugins/ && rm old.jar
        VersionedJars.codec("1.1.0").writeTo(pluginsDir, codecJar("1.1.0"));
        Files.delete(pluginsDir.resolve(codecJar("1.0.0")));

        servedBy("serializer", "1.1.0");
        callsContinue();
        noCallFailed();
        assertThat(events()).contains("codec-versioned 1.0.0 -> 1.1.0");
        assertCollected("serializer", "1.0.0");
    }

    @Test
    void deleteThenAddWithASlowCopy() throws Exception {
        balancer("1.0.0").writeTo(pluginsDir, lbJar("1.0.0"));
        startClient(pluginsDir, "");
        servedBy("lb", "1.0.0");

        // rm old.jar; cp new.jar plugins/ (a copy that takes a while)
        Files.delete(pluginsDir.resolve(lbJar("1.0.0")));
        pause(DEBOUNCE.dividedBy(2));
        balancer("1.1.0").writeSlowly(pluginsDir, lbJar("1.1.0"), 6, () -> pause(DEBOUNCE.dividedBy(2)));

        servedBy("lb", "1.1.0");
        callsContinue();
        noCallFailed();
        assertThat(events()).contains("lb-versioned 1.0.0 -> 1.1.0").doesNotContain("removed");
        assertCollected("lb", "1.0.0");
    }

    @Test
    void deleteByHandThenAddSecondsLater() throws Exception {
        balancer("1.0.0").writeTo(pluginsDir, lbJar("1.0.0"));
        startClient(pluginsDir, "");
        servedBy("lb", "1.0.0");

        // rm old.jar, then, a moment later, the new one: the only load balancer is not dropped meanwhile.
        Files.delete(pluginsDir.resolve(lbJar("1.0.0")));
        pause(DEBOUNCE.multipliedBy(15));
        balancer("1.1.0").writeTo(pluginsDir, lbJar("1.1.0"));

        servedBy("lb", "1.1.0");
        callsContinue();
        noCallFailed();
        assertThat(events())
                .contains("lb-versioned kept 1.0.0 for up to plugins.replace-grace")
                .contains("lb-versioned 1.0.0 -> 1.1.0")
                .doesNotContain("removed");
        assertCollected("lb", "1.0.0");
    }

    @Test
    void downgradeByDeletingTheNewerRelease() throws Exception {
        balancer("1.0.0").writeTo(pluginsDir, lbJar("1.0.0"));
        balancer("2.0.0").writeTo(pluginsDir, lbJar("2.0.0"));
        startClient(pluginsDir, "");
        servedBy("lb", "2.0.0");
        assertThat(report(lbJar("1.0.0")).state()).isEqualTo(PluginReport.State.STANDBY);

        Files.delete(pluginsDir.resolve(lbJar("2.0.0")));

        servedBy("lb", "1.0.0");
        callsContinue();
        noCallFailed();
        assertThat(events()).contains("lb-versioned 2.0.0 -> 1.0.0");
        assertCollected("lb", "2.0.0");
    }

    @Test
    void codecAndLoadBalancerReplacedInOneChange() throws Exception {
        VersionedJars.codec("1.0.0").writeTo(pluginsDir, codecJar("1.0.0"));
        balancer("1.0.0").writeTo(pluginsDir, lbJar("1.0.0"));
        startClient(pluginsDir, "");

        VersionedJars.codec("1.1.0").writeTo(pluginsDir, codecJar("1.1.0"));
        balancer("1.1.0").writeTo(pluginsDir, lbJar("1.1.0"));
        Files.delete(pluginsDir.resolve(codecJar("1.0.0")));
        Files.delete(pluginsDir.resolve(lbJar("1.0.0")));

        servedBy("serializer", "1.1.0");
        servedBy("lb", "1.1.0");
        callsContinue();
        noCallFailed();
        assertCollected("serializer", "1.0.0");
        assertCollected("lb", "1.0.0");
    }

    @Test
    void wholeFolderReplacedThroughASymlinkSwap() throws Exception {
        Path release1 = Files.createDirectories(dir.resolve("releases/1/plugins"));
        Path release2 = Files.createDirectories(dir.resolve("releases/2/plugins"));
        VersionedJars.codec("1.0.0").writeTo(release1, codecJar("1.0.0"));
        balancer("1.0.0").writeTo(release1, lbJar("1.0.0"));
        VersionedJars.codec("1.1.0").writeTo(release2, codecJar("1.1.0"));
        balancer("1.1.0").writeTo(release2, lbJar("1.1.0"));
        Path link = dir.resolve("current-plugins");
        Files.createSymbolicLink(link, release1);
        startClient(link, "");
        servedBy("serializer", "1.0.0");

        // ln -s releases/2/plugins current-plugins.new && mv -T current-plugins.new current-plugins
        Path next = dir.resolve("current-plugins.new");
        Files.createSymbolicLink(next, release2);
        Files.move(next, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

        servedBy("serializer", "1.1.0");
        servedBy("lb", "1.1.0");
        callsContinue();
        noCallFailed();
        assertCollected("serializer", "1.0.0");
        assertCollected("lb", "1.0.0");
    }

    @Test
    void slowNonAtomicCopyOfALargeJarThenDeleteOfTheOldOne() throws Exception {
        balancer("1.0.0").writeTo(pluginsDir, lbJar("1.0.0"));
        startClient(pluginsDir, "");

        // cp big.jar plugins/ && rm old.jar: 8 MiB written in 20 pieces, the folder never quiet for long
        byte[] padding = new byte[8 << 20];
        new Random(42).nextBytes(padding);
        byte[] big = balancer("1.1.0").resource("padding.bin", padding).bytes();
        PluginJarBuilder.writeSlowly(big, pluginsDir.resolve(lbJar("1.1.0")), 20, () -> pause(DEBOUNCE.dividedBy(2)));
        Files.delete(pluginsDir.resolve(lbJar("1.0.0")));

        servedBy("lb", "1.1.0");
        callsContinue();
        noCallFailed();
        assertCollected("lb", "1.0.0");
    }

    @Test
    void corruptReplacementKeepsTheWorkingVersionAndSaysWhy() throws Exception {
        balancer("1.0.0").writeTo(pluginsDir, lbJar("1.0.0"));
        startClient(pluginsDir, "");

        // A truncated download renamed in, and the old release deleted.
        byte[] good = balancer("1.1.0").bytes();
        Path tmp = pluginsDir.resolve(".download.tmp");
        Files.write(tmp, Arrays.copyOf(good, good.length / 2));
        Files.move(tmp, pluginsDir.resolve(lbJar("1.1.0")), StandardCopyOption.ATOMIC_MOVE);
        Files.delete(pluginsDir.resolve(lbJar("1.0.0")));

        await().atMost(Duration.ofSeconds(10)).until(() -> events().contains("kept 1.0.0: "));
        callsContinue();
        assertThat(events()).contains("lb-versioned kept 1.0.0: " + lbJar("1.1.0") + " is not a valid JAR");
        assertThat(report(lbJar("1.0.0")).state()).isEqualTo(PluginReport.State.KEPT);
        assertThat(report(lbJar("1.1.0")).state()).isEqualTo(PluginReport.State.REFUSED);
        assertThat(client.admin().activeExtensions().get("loadbalancer")).contains("1.0.0");

        // The operator fixes the folder: the complete JAR replaces the kept version.
        balancer("1.1.0").writeTo(pluginsDir, lbJar("1.1.0"));
        servedBy("lb", "1.1.0");
        callsContinue();
        noCallFailed();
        assertThat(report(lbJar("1.0.0"))).isNull();
        assertCollected("lb", "1.0.0");
    }

    @Test
    void corruptJarOverwritingTheActiveOneInPlaceKeepsIt() throws Exception {
        balancer("1.0.0").writeTo(pluginsDir, "lb.jar");
        startClient(pluginsDir, "");
        servedBy("lb", "1.0.0");

        Files.write(pluginsDir.resolve("lb.jar"), new byte[] {'P', 'K', 3, 4, 0, 0, 1});

        await().atMost(Duration.ofSeconds(10)).until(() -> events().contains("kept 1.0.0: "));
        servedBy("lb", "1.0.0");
        noCallFailed();
        assertThat(events()).contains("lb-versioned kept 1.0.0: lb.jar is not a valid JAR");
    }

    @Test
    void replacementThatFailsToStartKeepsTheWorkingVersion() throws Exception {
        balancer("1.0.0").writeTo(pluginsDir, lbJar("1.0.0"));
        startClient(pluginsDir, "");

        balancer("1.1.0").resource(VersionedBalancer.FAIL_START, "x").writeTo(pluginsDir, lbJar("1.1.0"));
        Files.delete(pluginsDir.resolve(lbJar("1.0.0")));

        await().atMost(Duration.ofSeconds(10)).until(() -> events().contains("kept 1.0.0: "));
        servedBy("lb", "1.0.0");
        assertThat(events())
                .contains("lb-versioned kept 1.0.0: " + lbJar("1.1.0") + " an extension failed to start")
                .contains("broken on purpose");

        // Removing the broken release too is a removal: the plugin goes, with nothing left to hold it.
        load.stop();
        assertThat(load.failures())
                .as("failed calls while the broken release was in the folder")
                .isEmpty();
        Files.delete(pluginsDir.resolve(lbJar("1.1.0")));
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        client.admin().activeExtensions().get("loadbalancer").equals("-"));
        assertThat(events()).contains("lb-versioned 1.0.0 removed");
    }

    @Test
    void removingTheStrategySwitchedToFallsBackToTheConfiguredOne() throws Exception {
        balancer("1.0.0").writeTo(pluginsDir, lbJar("1.0.0"));
        plugin("lb-first").extension(SecondBalancer.class).writeTo(pluginsDir, "lb-first.jar");
        startClient(pluginsDir, "versioned");
        client.admin().switchExtension("loadbalancer", "first", null);
        servedBy("lb-first", "any");

        Files.delete(pluginsDir.resolve("lb-first.jar"));

        servedBy("lb", "1.0.0");
        callsContinue();
        noCallFailed();
        assertThat(client.admin().activeExtensions().get("loadbalancer")).startsWith("versioned (lb-versioned 1.0.0)");
        assertThat(events()).contains("loadbalancer: 'first' is not loaded; versioned (lb-versioned 1.0.0) takes over");
    }

    @Test
    void aRemovedStrategyIsNamedWithTheJarThatProvidedIt() throws Exception {
        balancer("1.0.0").writeTo(pluginsDir, lbJar("1.0.0"));
        startClient(pluginsDir, "versioned");
        load.stop();
        Files.delete(pluginsDir.resolve(lbJar("1.0.0")));
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        client.admin().activeExtensions().get("loadbalancer").equals("-"));
        EchoApi echo = client.reference(EchoApi.class, servers.referenceOptions());
        Assertions.assertThatThrownBy(() -> echo.echo("x"))
                .hasMessageContaining("no LoadBalancer named 'versioned' is loaded (loaded: none)")
                .hasMessageContaining(
                        "put " + lbJar("1.0.0") + " (plugin lb-versioned 1.0.0), which provided 'versioned', back in");

        // Another load balancer arrives: with the configured one gone, it serves rather than nothing.
        plugin("lb-first").extension(SecondBalancer.class).writeTo(pluginsDir, "lb-first.jar");
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        client.admin().activeExtensions().get("loadbalancer").startsWith("first"));
    }
}
