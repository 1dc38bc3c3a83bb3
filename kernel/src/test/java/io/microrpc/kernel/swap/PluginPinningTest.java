package io.microrpc.kernel.swap;

import static io.microrpc.kernel.swap.VersionedJars.balancer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.admin.AdminServer;
import io.microrpc.kernel.config.ConfigException;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.plugin.KernelEvent;
import io.microrpc.kernel.plugin.PluginReport;
import io.microrpc.kernel.testing.CallerLoad;
import io.microrpc.kernel.testing.EchoApi;
import io.microrpc.kernel.testing.EchoServers;
import io.microrpc.kernel.testing.JavaTestSerializer;
import io.microrpc.kernel.testing.LoaderLeaks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugin pinning ({@code plugins.allow}) with real plugin JARs through the real plugin manager, under
 * load through real connections: a JAR the file does not list (or whose bytes changed after it was
 * pinned) is refused and none of its code runs; adding a pin loads it, removing one unloads it, a
 * malformed edit changes nothing, and a new release whose pin comes with it (or after it) swaps in
 * without a failed call.
 */
class PluginPinningTest {

    private static final Duration DEBOUNCE = Duration.ofMillis(100);

    @TempDir
    Path dir;

    private EchoServers servers;
    private MicroRpc client;
    private Path pluginsDir;
    private Path allow;
    private CallerLoad load;

    @BeforeEach
    void setUp() throws IOException {
        SwapProbe.reset();
        pluginsDir = Files.createDirectories(dir.resolve("plugins"));
        allow = Files.createDirectories(dir.resolve("conf")).resolve("plugins.allow");
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

    private KernelSettings settings() {
        return KernelSettings.builder()
                .callSerializer("java-test")
                .pluginsDir(pluginsDir)
                .pluginsAllow(allow)
                .dataDir(dir.resolve("client-data"))
                .pluginsWatchDebounce(DEBOUNCE)
                .build();
    }

    private MicroRpc start() {
        return MicroRpc.builder()
                .settings(settings())
                .extension(new JavaTestSerializer())
                .start();
    }

    private void startWithLoad() {
        client = start();
        EchoApi echo = client.reference(EchoApi.class, servers.referenceOptions());
        load = new CallerLoad(echo, 4).start();
        callsContinue();
    }

    private static String lbJar(String version) {
        return "plugin-lb-versioned-" + version + ".jar";
    }

    private static String filterJar(String version) {
        return "plugin-filter-versioned-" + version + ".jar";
    }

    /** What {@code sha256sum} prints for {@code file}, computed here apart from the kernel's code. */
    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    /** The pin line of {@code jar} in the plugins folder, for plugin {@code id} at {@code version}. */
    private String pin(String id, String version, String jar) throws Exception {
        return id + ' ' + version + ' ' + sha256(pluginsDir.resolve(jar));
    }

    /** Writes the pinning file atomically, as an operator should (and as a ConfigMap does). */
    private void writePins(String... lines) throws IOException {
        Path tmp = allow.resolveSibling(".plugins.allow.tmp");
        Files.writeString(tmp, "# pinned plugin JARs\n" + String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, allow, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private void callsContinue() {
        long before = load.calls();
        await().atMost(Duration.ofSeconds(10)).until(() -> load.calls() > before + 50);
    }

    private void servedBy(String point, String version) {
        long before = SwapProbe.calls(point, version);
        await().atMost(Duration.ofSeconds(15)).until(() -> SwapProbe.calls(point, version) > before);
    }

    private void noCallFailed() {
        load.stop();
        assertThat(load.failures()).as("failed calls").isEmpty();
    }

    private String events() {
        return client.events(0).stream().map(KernelEvent::text).collect(Collectors.joining("\n"));
    }

    private PluginReport report(String file) {
        return client.plugins().stream()
                .filter(r -> r.file().equals(file))
                .findFirst()
                .orElse(null);
    }

    /** Whether the loader ever took {@code jar}: it copies every JAR it loads to its cache first. */
    private boolean handedToTheLoader(String jar) throws Exception {
        return Files.exists(dir.resolve("client-data/plugin-cache").resolve(sha256(pluginsDir.resolve(jar))));
    }

    @Test
    void anUnpinnedJarIsRefusedWithItsHashAndTheLineToAdd() throws Exception {
        balancer("1.0.0").writeTo(pluginsDir, lbJar("1.0.0"));
        VersionedJars.filter("1.0.0").writeTo(pluginsDir, filterJar("1.0.0"));
        writePins(pin("lb-versioned", "1.0.0", lbJar("1.0.0")));

        startWithLoad();
        servedBy("lb", "1.0.0");

        assertThat(report(lbJar("1.0.0")).state()).isEqualTo(PluginReport.State.STARTED);
        PluginReport refused = report(filterJar("1.0.0"));
        String hash = sha256(pluginsDir.resolve(filterJar("1.0.0")));
        assertThat(refused.state()).isEqualTo(PluginReport.State.REFUSED);
        assertThat(refused.reason())
                .contains("not pinned")
                .contains(allow.toAbsolutePath().toString())
                .contains("sha256 " + hash)
                .endsWith("add the line: filter-versioned 1.0.0 " + hash);
        assertThat(AdminServer.describe(client))
                .as("GET /plugins and microrpc plugins show the same report")
                .contains(filterJar("1.0.0"))
                .contains("filter-versioned 1.0.0 " + hash);
        assertThat(handedToTheLoader(filterJar("1.0.0")))
                .as("no class of it runs")
                .isFalse();
        assertThat(SwapProbe.calls("filter", "1.0.0")).isZero();
        noCallFailed();
    }

    @Test
    void aJarWhoseBytesChangedAfterItWasPinnedIsRefused() throws Exception {
        balancer("1.0.0").writeTo(pluginsDir, lbJar("1.0.0"));
        VersionedJars.filter("1.0.0").writeTo(pluginsDir, filterJar("1.0.0"));
        String pinned = pin("filter-versioned", "1.0.0", filterJar("1.0.0"));
        writePins(pin("lb-versioned", "1.0.0", lbJar("1.0.0")), pinned);
        // The same plugin id and version, other bytes: a rebuilt or tampered JAR.
        VersionedJars.filter("1.0.0").resource("extra.txt", "x").writeTo(pluginsDir, filterJar("1.0.0"));

        startWithLoad();

        PluginReport refused = report(filterJar("1.0.0"));
        assertThat(refused.state()).isEqualTo(PluginReport.State.REFUSED);
        assertThat(refused.reason())
                .contains("changed after it was pinned")
                .contains(pinned.substring(pinned.lastIndexOf(' ') + 1))
                .endsWith("add the line: " + pin("filter-versioned", "1.0.0", filterJar("1.0.0")));
        assertThat(handedToTheLoader(filterJar("1.0.0"))).isFalse();

        // The active load balancer's JAR overwritten in place with other bytes: the pinned version keeps
        // serving (what runs is its private copy), the new bytes are refused and never loaded.
        byte[] other = balancer("1.0.0").resource("extra.txt", "x").bytes();
        Path tmp = pluginsDir.resolve(".lb.tmp");
        Files.write(tmp, other);
        Files.move(tmp, pluginsDir.resolve(lbJar("1.0.0")), StandardCopyOption.ATOMIC_MOVE);

        await().atMost(Duration.ofSeconds(10)).until(() -> events().contains("lb-versioned kept 1.0.0: "));
        assertThat(events()).contains("lb-versioned kept 1.0.0: " + lbJar("1.0.0") + " is not pinned");
        assertThat(report(lbJar("1.0.0")).state()).isEqualTo(PluginReport.State.REFUSED);
        servedBy("lb", "1.0.0");
        noCallFailed();
    }

    @Test
    void addingAPinLoadsTheJarAndRemovingItUnloadsThePlugin() throws Exception {
        balancer("1.0.0").writeTo(pluginsDir, lbJar("1.0.0"));
        VersionedJars.filter("1.0.0").writeTo(pluginsDir, filterJar("1.0.0"));
        String lbPin = pin("lb-versioned", "1.0.0", lbJar("1.0.0"));
        writePins(lbPin);
        startWithLoad();
        assertThat(report(filterJar("1.0.0")).state()).isEqualTo(PluginReport.State.REFUSED);

        writePins(lbPin, pin("filter-versioned", "1.0.0", filterJar("1.0.0")));

        servedBy("filter", "1.0.0");
        assertThat(report(filterJar("1.0.0")).state()).isEqualTo(PluginReport.State.STARTED);
        assertThat(events()).contains("filter-versioned 1.0.0 added");

        writePins(lbPin);

        await().atMost(Duration.ofSeconds(10)).until(() -> events().contains("filter-versioned 1.0.0 removed"));
        assertThat(report(filterJar("1.0.0")).state()).isEqualTo(PluginReport.State.REFUSED);
        callsContinue();
        noCallFailed();
        assertThat(events()).contains("filter-versioned 1.0.0 removed (" + filterJar("1.0.0") + " may no longer run");
        LoaderLeaks.assertCollected(
                "class loader of filter-versioned 1.0.0 (unpinned)",
                SwapProbe.loader("filter", "1.0.0"),
                Duration.ofSeconds(30));
    }

    @Test
    void aMalformedEditIsRefusedAndThePreviousPinsStay() throws Exception {
        balancer("1.0.0").writeTo(pluginsDir, lbJar("1.0.0"));
        VersionedJars.filter("1.0.0").writeTo(pluginsDir, filterJar("1.0.0"));
        String lbPin = pin("lb-versioned", "1.0.0", lbJar("1.0.0"));
        writePins(lbPin);
        startWithLoad();

        // Line 3 (after the comment): the filter's pin with a truncated hash. Nothing of the edit applies.
        String filterPin = pin("filter-versioned", "1.0.0", filterJar("1.0.0"));
        writePins(lbPin, filterPin.substring(0, filterPin.length() - 1));

        await().atMost(Duration.ofSeconds(10)).until(() -> events().contains("plugins.allow refused"));
        assertThat(events())
                .contains(allow.toAbsolutePath() + " line 3: sha256 '")
                .contains("has 63 characters (expected: 64 hex digits");
        // A missing field.
        writePins("lb-versioned " + lbPin.substring(lbPin.lastIndexOf(' ') + 1));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> events().contains(" line 2: 'lb-versioned " + lbPin.substring(lbPin.lastIndexOf(' ') + 1)
                        + "' has 2 fields (expected: 3"));
        servedBy("lb", "1.0.0");
        assertThat(report(lbJar("1.0.0")).state()).isEqualTo(PluginReport.State.STARTED);
        assertThat(report(filterJar("1.0.0")).state()).isEqualTo(PluginReport.State.REFUSED);

        // Fixed: applies.
        writePins(lbPin, filterPin);
        servedBy("filter", "1.0.0");
        noCallFailed();
    }

    @Test
    void aMalformedOrMissingPinningFileFailsTheStartClearly() throws Exception {
        balancer("1.0.0").writeTo(pluginsDir, lbJar("1.0.0"));

        assertThatThrownBy(this::start)
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("plugins.allow: cannot read " + allow.toAbsolutePath())
                .hasMessageContaining("bin/microrpc plugins --pins > " + allow.toAbsolutePath());

        writePins("lb-versioned 1.0.0 " + "g".repeat(64));
        assertThatThrownBy(this::start)
                .isInstanceOf(ConfigException.class)
                .hasMessage("plugins.allow: " + allow.toAbsolutePath() + " line 2: sha256 '" + "g".repeat(64)
                        + "' is not hexadecimal (expected: 64 hex digits, as sha256sum prints)");
        assertThat(dir.resolve("client-data/plugin-cache"))
                .as("nothing was loaded")
                .satisfiesAnyOf(
                        p -> assertThat(p).doesNotExist(), p -> assertThat(p).isEmptyDirectory());
    }

    @Test
    void aNewReleaseWithItsPinSwapsInWithoutAFailedCall() throws Exception {
        balancer("1.0.0").writeTo(pluginsDir, lbJar("1.0.0"));
        String oldPin = pin("lb-versioned", "1.0.0", lbJar("1.0.0"));
        writePins(oldPin);
        startWithLoad();
        servedBy("lb", "1.0.0");

        // The pin first (or with the JAR), then mv new.jar plugins/ && rm old.jar: one swap.
        Path staging = Files.createDirectories(dir.resolve("staging"));
        balancer("1.1.0").writeTo(staging, lbJar("1.1.0"));
        writePins(oldPin, "lb-versioned 1.1.0 " + sha256(staging.resolve(lbJar("1.1.0"))));
        Files.move(staging.resolve(lbJar("1.1.0")), pluginsDir.resolve(lbJar("1.1.0")), StandardCopyOption.ATOMIC_MOVE);
        Files.delete(pluginsDir.resolve(lbJar("1.0.0")));

        servedBy("lb", "1.1.0");
        callsContinue();
        assertThat(events()).contains("lb-versioned 1.0.0 -> 1.1.0");

        // The JAR before its pin: the working version is kept (not a gap), the new one waits for its pin.
        balancer("1.2.0").writeTo(pluginsDir, lbJar("1.2.0"));
        Files.delete(pluginsDir.resolve(lbJar("1.1.0")));
        await().atMost(Duration.ofSeconds(10)).until(() -> events().contains("lb-versioned kept 1.1.0: "));
        assertThat(report(lbJar("1.2.0")).state()).isEqualTo(PluginReport.State.REFUSED);
        servedBy("lb", "1.1.0");
        writePins(pin("lb-versioned", "1.2.0", lbJar("1.2.0")));

        servedBy("lb", "1.2.0");
        callsContinue();
        noCallFailed();
        assertThat(events()).contains("lb-versioned 1.1.0 -> 1.2.0");
        for (String v : List.of("1.0.0", "1.1.0")) {
            LoaderLeaks.assertCollected(
                    "class loader of lb-versioned " + v + " (replaced)",
                    SwapProbe.loader("lb", v),
                    Duration.ofSeconds(30));
        }
    }
}
