package io.microrpc.kernel.swap;

import static io.microrpc.kernel.testing.PluginJarBuilder.plugin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.config.ConfigException;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.plugin.KernelEvent;
import io.microrpc.kernel.testing.CallerLoad;
import io.microrpc.kernel.testing.EchoApi;
import io.microrpc.kernel.testing.EchoServers;
import io.microrpc.kernel.testing.JavaTestSerializer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Edits of a running kernel's configuration file, under load: strategies and extension keys apply to
 * new calls without a restart and without a failed call; an invalid edit is refused as a whole, naming
 * the key, and the running configuration stays; a key that needs a restart is kept and named.
 */
class LiveConfigurationTest {

    @TempDir
    Path dir;

    private EchoServers servers;
    private MicroRpc client;
    private Path conf;
    private Path pluginsDir;
    private CallerLoad load;

    @BeforeEach
    void setUp() throws IOException {
        SwapProbe.reset();
        servers = new EchoServers(2, dir);
        pluginsDir = Files.createDirectories(dir.resolve("plugins"));
        VersionedJars.balancer("1.0.0").writeTo(pluginsDir, "lb-versioned.jar");
        plugin("lb-first").extension(SecondBalancer.class).writeTo(pluginsDir, "lb-first.jar");
        plugin("lb-labelled").extension(LabelledBalancer.class).writeTo(pluginsDir, "lb-labelled.jar");
        conf = Files.createDirectories(dir.resolve("conf")).resolve("microrpc.properties");
        write("loadbalancer=versioned");
        client = MicroRpc.builder()
                .configFile(conf, () -> KernelSettings.load(conf))
                .extension(new JavaTestSerializer())
                .start();
        EchoApi echo = client.reference(EchoApi.class, servers.referenceOptions());
        load = new CallerLoad(echo, 4).start();
        served("lb", "1.0.0");
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

    /** Replaces the configuration file the way editors do: a new file renamed over the old one. */
    private void write(String... lines) throws IOException {
        String base = String.join(
                "\n",
                "call.serializer=java-test",
                "plugins.dir=" + pluginsDir,
                "data.dir=" + dir.resolve("client-data"),
                "plugins.watch-debounce=100ms",
                "server.port=0",
                "");
        Path tmp = conf.resolveSibling(".microrpc.properties.swp");
        Files.writeString(tmp, base + String.join("\n", lines) + "\n");
        Files.move(tmp, conf, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private void served(String point, String version) {
        long before = SwapProbe.calls(point, version);
        await().atMost(Duration.ofSeconds(10)).until(() -> SwapProbe.calls(point, version) > before + 20);
    }

    private String events() {
        return client.events(0).stream().map(KernelEvent::text).collect(Collectors.joining("\n"));
    }

    private void eventually(String text) {
        await().atMost(Duration.ofSeconds(10)).until(() -> events().contains(text));
    }

    @Test
    void editedStrategiesAndExtensionKeysApplyToNewCallsWithoutAFailedCall() throws Exception {
        write("loadbalancer=first");
        served("lb-first", "any");
        eventually("configuration: loadbalancer: versioned -> first");

        write("loadbalancer=labelled", "loadbalancer.labelled.label=blue");
        served("labelled", "blue");

        // The extension gets its new key through a new instance; the old one stops once its calls are done.
        write("loadbalancer=labelled", "loadbalancer.labelled.label=green");
        served("labelled", "green");
        await().atMost(Duration.ofSeconds(10)).until(() -> SwapProbe.calls("labelled-stopped", "blue") > 0);
        long blue = SwapProbe.calls("labelled", "blue");
        served("labelled", "green");
        assertThat(SwapProbe.calls("labelled", "blue"))
                .as("no new call reaches the old instance")
                .isEqualTo(blue);

        load.stop();
        assertThat(load.failures())
                .as("failed calls while the configuration changed")
                .isEmpty();
        assertThat(client.admin().activeExtensions().get("loadbalancer")).startsWith("labelled");
    }

    @Test
    void anInvalidEditIsRefusedAsAWholeAndTheRunningConfigurationStays() throws Exception {
        write("loadbalancer=labelled", "loadbalancer.labelled.label=blue");
        served("labelled", "blue");

        // A strategy nobody provides, together with a valid key change: neither applies.
        write("loadbalancer=lowest-port", "loadbalancer.labelled.label=green");
        eventually("configuration refused: loadbalancer: 'lowest-port' (expected: a loaded loadbalancer:");
        // A value the extension refuses.
        write("loadbalancer=labelled", "loadbalancer.labelled.label=Not A Word");
        eventually("configuration refused: loadbalancer.labelled.label: 'Not A Word' (expected: a lower-case word)");
        // A key nobody knows, and a bad kernel value.
        write("loadbalancr=first");
        eventually("configuration refused: " + conf + ": unknown configuration key 'loadbalancr'");
        write("loadbalancer=first", "server.weight=-3");
        eventually("server.weight: -3 (expected: 0-1000000)");

        served("labelled", "blue");
        assertThat(SwapProbe.calls("labelled", "green")).isZero();
        assertThat(SwapProbe.calls("labelled-stopped", "blue")).isZero();
        load.stop();
        assertThat(load.failures()).isEmpty();
        assertThat(client.admin().activeExtensions().get("loadbalancer")).startsWith("labelled");
    }

    @Test
    void keysThatNeedARestartKeepTheirRunningValueAndTheLiveOnesApply() throws Exception {
        write("loadbalancer=first", "call.timeout=9s", "server.worker-threads=7");
        served("lb-first", "any");
        assertThat(client.settings().callTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(client.settings().serverWorkerThreads()).isEqualTo(200);
        assertThat(client.settings().loadbalancer()).isEqualTo("first");
    }

    @Test
    void reconfigureInCodeReturnsTheChangesOrThrowsNamingTheKey() {
        KernelSettings now = client.settings();
        assertThat(client.reconfigure(now.toBuilder().loadbalancer("first").build()))
                .containsExactly("loadbalancer: versioned -> first");
        assertThat(client.reconfigure(now.toBuilder().loadbalancer("first").build()))
                .isEmpty();
        assertThatThrownBy(() -> client.reconfigure(
                        now.toBuilder().filters(List.of("tracing")).build()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("filters: 'tracing' (expected: loaded filters: none is loaded)");
        assertThat(client.settings().filters()).isEmpty();
    }

    @Test
    void aRuntimeSwitchStaysUntilTheConfigurationChangesThatPoint() throws Exception {
        client.admin().switchExtension("loadbalancer", "first", null);
        served("lb-first", "any");
        write("loadbalancer=versioned", "cluster=");
        // The file's loadbalancer did not change: the operator's switch stays.
        await().during(Duration.ofMillis(500))
                .atMost(Duration.ofSeconds(2))
                .until(() ->
                        client.admin().activeExtensions().get("loadbalancer").startsWith("first"));
        write("loadbalancer=labelled");
        served("labelled", "none");
        load.stop();
        assertThat(load.failures()).isEmpty();
    }
}
