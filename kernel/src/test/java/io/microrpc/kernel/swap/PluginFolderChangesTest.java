package io.microrpc.kernel.swap;

import static io.microrpc.kernel.swap.VersionedJars.balancer;
import static io.microrpc.kernel.testing.PluginJarBuilder.plugin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.plugin.PluginReport;
import io.microrpc.kernel.testing.CallerLoad;
import io.microrpc.kernel.testing.EchoApi;
import io.microrpc.kernel.testing.EchoServers;
import io.microrpc.kernel.testing.JavaTestSerializer;
import io.microrpc.spi.RpcException;
import io.microrpc.spi.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What operators do to a running kernel's plugins folder, under load: half-written, corrupt and
 * incompatible JARs, removing the active plugin, switching the active strategy, replacing a service
 * plugin. No call may fail.
 */
class PluginFolderChangesTest {

    @TempDir
    Path dir;

    private EchoServers servers;
    private MicroRpc client;
    private Path pluginsDir;
    private EchoApi echo;
    private CallerLoad load;

    @BeforeEach
    void setUp() throws IOException {
        SwapProbe.reset();
        pluginsDir = Files.createDirectories(dir.resolve("plugins"));
        servers = new EchoServers(2, dir);
    }

    private void startClient(String loadBalancerPreference) {
        KernelSettings s = KernelSettings.builder()
                .callSerializer("java-test")
                .pluginsDir(pluginsDir)
                .loadbalancer(loadBalancerPreference)
                .dataDir(dir.resolve("client-data"))
                .pluginsWatchDebounce(Duration.ofMillis(100))
                .build();
        client = MicroRpc.builder()
                .settings(s)
                .extension(new JavaTestSerializer())
                .start();
        echo = client.reference(EchoApi.class, servers.referenceOptions());
    }

    private void startLoad() {
        load = new CallerLoad(echo, 4).start();
    }

    /** Lets the load make progress, so a change has been exercised by real calls. */
    private void callsContinue() {
        long before = load.calls();
        await().atMost(Duration.ofSeconds(10)).until(() -> load.calls() > before + 50);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        if (load != null) {
            load.stop();
        }
        if (client != null) {
            client.close();
        }
        servers.close();
    }

    private PluginReport report(String file) {
        return client.plugins().stream()
                .filter(r -> r.file().equals(file))
                .findFirst()
                .orElse(null);
    }

    /** Whether {@code file} has a report other than STARTING. */
    private boolean settled(String file) {
        PluginReport r = report(file);
        return r != null && r.state() != PluginReport.State.STARTING;
    }

    @Test
    void badJarsAreReportedAndNeverDisturbTheActivePlugin() throws Exception {
        balancer("1.0.0").writeTo(pluginsDir, "lb.jar");
        startClient("");
        startLoad();
        callsContinue();

        // Half-written: a newer version written slowly in chunks, with pauses shorter than the debounce.
        balancer("2.0.0").writeSlowly(pluginsDir, "lb-2.jar", 8, () -> {
            long until = System.nanoTime() + Duration.ofMillis(30).toNanos();
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> SwapProbe.calls("lb", "2.0.0") > 0);
        assertThat(report("lb-2.jar").state()).isEqualTo(PluginReport.State.STARTED);
        assertThat(report("lb.jar").state()).isEqualTo(PluginReport.State.STANDBY);

        // Corrupt, and incompatible: reported, the active one stays.
        Files.write(pluginsDir.resolve("corrupt.jar"), new byte[] {'P', 'K', 3, 4, 0, 0, 1});
        balancer("9.0.0").requires(">=99.0.0").writeTo(pluginsDir, "lb-incompatible.jar");
        await().atMost(Duration.ofSeconds(10)).until(() -> settled("corrupt.jar") && settled("lb-incompatible.jar"));
        assertThat(report("corrupt.jar").state()).isEqualTo(PluginReport.State.REFUSED);
        assertThat(report("corrupt.jar").reason()).contains("not a valid JAR");
        assertThat(report("lb-incompatible.jar").state()).isEqualTo(PluginReport.State.REFUSED);
        assertThat(report("lb-incompatible.jar").reason()).contains("requires microrpc >=99.0.0");
        callsContinue();
        assertThat(client.admin().activeExtensions().get("loadbalancer")).contains("2.0.0");

        // Removed while active: the older version still in the folder takes over.
        Files.delete(pluginsDir.resolve("lb-2.jar"));
        long before = SwapProbe.calls("lb", "1.0.0");
        await().atMost(Duration.ofSeconds(10)).until(() -> SwapProbe.calls("lb", "1.0.0") > before);
        assertThat(client.admin().activeExtensions().get("loadbalancer")).contains("1.0.0");

        // Removed with nothing to fall back to: calls needing a load balancer fail fast, naming it.
        load.stop();
        assertThat(load.failures()).as("failed calls while the folder changed").isEmpty();
        Files.delete(pluginsDir.resolve("lb.jar"));
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        client.admin().activeExtensions().get("loadbalancer").equals("-"));
        assertThatThrownBy(() -> echo.echo("x")).isInstanceOfSatisfying(RpcException.class, e -> {
            assertThat(e.code()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(e.getMessage()).contains("LoadBalancer").contains("plugin-lb-weighted");
        });
    }

    @Test
    void switchingTheActiveLoadBalancerUnderLoadFailsNoCall() throws Exception {
        balancer("1.0.0").writeTo(pluginsDir, "lb.jar");
        plugin("lb-first").extension(SecondBalancer.class).writeTo(pluginsDir, "lb-first.jar");
        startClient("versioned");
        startLoad();
        callsContinue();
        for (int i = 0; i < 10; i++) {
            client.admin().switchExtension("loadbalancer", i % 2 == 0 ? "first" : "versioned", null);
            callsContinue();
        }
        client.admin().switchExtension("loadbalancer", "first", EchoApi.class.getName());
        client.admin().switchExtension("loadbalancer", "versioned", null);
        long first = SwapProbe.calls("lb-first", "any");
        callsContinue();
        assertThat(SwapProbe.calls("lb-first", "any"))
                .as("EchoApi keeps its own choice")
                .isGreaterThan(first);
        assertThat(client.admin().activeExtensions()).containsKey("loadbalancer[" + EchoApi.class.getName() + "]");
        assertThatThrownBy(() -> client.admin().switchExtension("loadbalancer", "nope", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no loadbalancer named [nope]")
                .hasMessageContaining("first")
                .hasMessageContaining("versioned");
        assertThatThrownBy(() -> client.admin().switchExtension("codec", "x", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("point: 'codec'");
        assertThat(load.failures()).isEmpty();
    }

    @Test
    void replacedServicePluginTakesNewCallsAndTheOldOneIsUnloaded() throws Exception {
        Path serverPlugins = Files.createDirectories(dir.resolve("server-plugins"));
        VersionedJars.greeter("1.0.0").writeTo(serverPlugins, "greeter.jar");
        KernelSettings s = KernelSettings.builder()
                .serverPort(0)
                .callSerializer("java-test")
                .pluginsDir(serverPlugins)
                .dataDir(dir.resolve("greeter-data"))
                .pluginsWatchDebounce(Duration.ofMillis(100))
                .build();
        try (MicroRpc server = MicroRpc.builder()
                        .settings(s)
                        .extension(new JavaTestSerializer())
                        .start();
                MicroRpc caller = MicroRpc.builder()
                        .settings(s.toBuilder()
                                .serverPort(0)
                                .pluginsDir(dir.resolve("none"))
                                .dataDir(dir.resolve("caller-data"))
                                .build())
                        .extension(new JavaTestSerializer())
                        .start()) {
            GreeterApi greeter = caller.reference(GreeterApi.class, "127.0.0.1:" + server.port());
            assertThat(greeter.version()).isEqualTo("1.0.0");
            VersionedJars.greeter("2.0.0").writeTo(serverPlugins, "greeter.jar");
            await().atMost(Duration.ofSeconds(10)).until(() -> greeter.version().equals("2.0.0"));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> server.generations().size() == 1);
            assertThat(server.generations())
                    .singleElement()
                    .asString()
                    .contains("2.0.0")
                    .contains("active");
        }
    }
}
