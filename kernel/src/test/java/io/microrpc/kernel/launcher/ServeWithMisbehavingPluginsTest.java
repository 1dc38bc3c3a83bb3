package io.microrpc.kernel.launcher;

import static io.microrpc.kernel.testing.PluginJarBuilder.plugin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.microrpc.kernel.testing.EchoApi;
import io.microrpc.kernel.testing.PluginJarBuilder;
import io.microrpc.kernel.testing.ServeChild;
import io.microrpc.kernel.testplugins.EchoServicePlugin;
import io.microrpc.kernel.testplugins.MisbehavingFilter;
import io.microrpc.kernel.testplugins.Misbehaviour;
import io.microrpc.kernel.testplugins.TwinCodec;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code microrpc serve} in a child JVM with plugins whose {@code start()} hangs, throws an {@code Error}
 * or calls {@code System.exit}: it serves anyway, its admin endpoint answers, and it exits within a bound
 * when told to (SIGTERM) or when a plugin exits. Before: it hung before binding, or the shutdown hook
 * deadlocked on the plugin host's lock and only SIGKILL ended it.
 */
class ServeWithMisbehavingPluginsTest {

    /**
     * How long the process may take to exit: {@code server.shutdown-timeout} (1 s here) plus the fixed
     * bounds of a shutdown (unregistering 3 s, plugins' stop 5 s, threads 2 s), with room for a slow machine.
     */
    private static final Duration EXIT_BOUND = Duration.ofSeconds(25);

    private static final String[] CONFIG = {"server.shutdown-timeout=1s", "plugins.watch-debounce=100ms"};

    @TempDir
    Path home;

    private ServeChild serve;

    @AfterEach
    void killLeftovers() throws InterruptedException {
        if (serve != null) {
            serve.close();
        }
    }

    private Path plugins() {
        return home.resolve("plugins");
    }

    private static PluginJarBuilder misbehaving(String id, String what) {
        return plugin(id).extension(MisbehavingFilter.class).resource(Misbehaviour.RESOURCE, what);
    }

    private ServeChild serve(String startTimeout) throws Exception {
        Files.createDirectories(plugins());
        plugin("echo-service").extension(EchoServicePlugin.class).writeTo(plugins(), "echo.jar");
        String[] config = Arrays.copyOf(CONFIG, CONFIG.length + 1);
        config[CONFIG.length] = "plugins.start-timeout=" + startTimeout;
        serve = ServeChild.start(home, config);
        return serve;
    }

    /** SIGTERM; the process must exit 143 (ended by the signal, after its shutdown hook) within the bound. */
    private void sigtermExits() throws Exception {
        long start = System.nanoTime();
        serve.terminate();
        Integer status = serve.exitWithin(EXIT_BOUND);
        assertThat(status)
                .as("exit status within %s after SIGTERM; log:%n%s", EXIT_BOUND, serve.log())
                .isEqualTo(143);
        System.out.printf("SIGTERM to exit: %d ms%n", (System.nanoTime() - start) / 1_000_000);
        assertThat(serve.log()).contains("Shutdown: in-flight calls drained");
    }

    @Test
    void atServeStartAHangingAndAnErroringPluginAreSkippedAndServeServes() throws Exception {
        Files.createDirectories(plugins());
        misbehaving("hang", "hang").writeTo(plugins(), "a-hang.jar");
        misbehaving("oom", "error:oom").writeTo(plugins(), "b-oom.jar");
        serve("2s");

        serve.servingPort();
        assertThat(serve.log())
                .contains("Plugin JAR a-hang.jar skipped: did not finish starting within plugins.start-timeout 2s")
                .contains("Plugin JAR b-oom.jar skipped: an extension failed to start: java.lang.OutOfMemoryError: "
                        + Misbehaviour.OOM)
                .contains("Serving [" + EchoApi.class.getName() + "]");
        HttpResponse<String> plugins = serve.admin("GET", "/plugins", Duration.ofSeconds(10));
        assertThat(plugins.statusCode()).isEqualTo(200);
        assertThat(plugins.body())
                .containsPattern("a-hang.jar +hang .*FAILED +did not finish starting")
                .containsPattern("b-oom.jar +oom .*FAILED +an extension failed to start: java.lang.OutOfMemoryError")
                .containsPattern("echo.jar +echo-service .*STARTED");

        sigtermExits();
    }

    @Test
    void sigtermWhileAStartHangsAtRuntimeExitsWithinTheBound() throws Exception {
        serve("5m");
        serve.servingPort();

        misbehaving("hang", "hang").writeTo(plugins(), "hang.jar");
        serve.awaitLog("misbehaving plugin: start() begins: hang", Duration.ofSeconds(20));
        // The admin endpoint answers while the start hangs.
        assertThat(serve.admin("GET", "/health", Duration.ofSeconds(10)).statusCode())
                .isEqualTo(200);
        assertThat(serve.admin("GET", "/plugins", Duration.ofSeconds(10)).body())
                .contains("echo.jar");
        // A reload queued behind the hanging start (it waits for it) holds up neither the stop nor the exit.
        serve.adminAsync("POST", "/reload", Duration.ofMinutes(1));

        sigtermExits();
        assertThat(serve.log())
                .contains("Plugin JAR hang.jar skipped: start abandoned at " + Misbehaviour.class.getName() + ".hang(")
                .contains("the kernel is shutting down");
    }

    @Test
    void aStartHangingAtRuntimeFailsAfterTheTimeoutWhileReloadAndLaterPluginsCarryOn() throws Exception {
        serve("2s");
        serve.servingPort();

        misbehaving("hang", "hang").writeTo(plugins(), "hang.jar");
        serve.awaitLog("misbehaving plugin: start() begins: hang", Duration.ofSeconds(20));
        plugin("twin").extension(TwinCodec.class).writeTo(plugins(), "twin.jar");
        HttpResponse<String> reload = serve.admin("POST", "/reload", Duration.ofSeconds(20));
        assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
        assertThat(reload.body())
                .containsPattern("hang.jar +hang .*FAILED +did not finish starting within plugins.start-timeout 2s");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> serve.admin("GET", "/plugins", Duration.ofSeconds(10))
                        .body()
                        .matches("(?s).*twin.jar +twin .*STARTED.*"));

        sigtermExits();
    }

    @Test
    void systemExitCalledFromStartAtRuntimeEndsTheProcessWithinTheBound() throws Exception {
        serve("1m");
        serve.servingPort();

        misbehaving("exit", "exit:7").writeTo(plugins(), "exit.jar");
        // The folder is watched: the plugin starts within moments, and its start exits.
        Integer status = serve.exitWithin(EXIT_BOUND.plusSeconds(20));

        assertThat(status)
                .as(
                        "exit status within %s of putting in a plugin whose start() calls System.exit(7); log:%n%s",
                        EXIT_BOUND.plusSeconds(20), serve.log())
                .isEqualTo(7);
        String log = serve.log();
        assertThat(log)
                .contains("misbehaving plugin: start() begins: exit:7")
                .contains("Shutdown: in-flight calls drained")
                .contains("Plugin JAR exit.jar skipped: start abandoned at " + Misbehaviour.class.getName())
                .contains(", which called System.exit: the kernel is shutting down");
        System.out.printf(
                "System.exit in start(), then the shutdown hook:%n%s%n",
                String.join(
                        "\n",
                        log.substring(log.indexOf("begins: exit:7"))
                                .lines()
                                .limit(12)
                                .toList()));
    }
}
