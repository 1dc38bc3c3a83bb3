package io.microrpc.dist;

import static io.microrpc.kernel.testing.PluginJarBuilder.plugin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.microrpc.kernel.testplugins.MisbehavingFilter;
import io.microrpc.kernel.testplugins.Misbehaviour;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution's {@code bin/microrpc serve}, with its shipped plugins (the embedded ZooKeeper
 * server among them), and a plugin dropped in at runtime whose {@code start()} never returns. Before:
 * SIGTERM closed the RPC port, then the shutdown hook waited forever on a lock the stuck start held;
 * the embedded ZooKeeper kept listening and only SIGKILL ended the process.
 */
class MisbehavingPluginIT {

    private static final Path DIST = Path.of(System.getProperty("microrpc.dist.dir", "target/microrpc"));

    @TempDir
    Path tmp;

    private Process serve;

    @AfterEach
    void killLeftovers() {
        if (serve != null) {
            serve.destroyForcibly();
        }
    }

    @Test
    void sigtermWhileAPluginStartHangsStopsTheShippedPluginsAndExits143() throws Exception {
        Path dist = DistributionCopy.onLoopback(
                        DIST,
                        tmp.resolve("microrpc"),
                        "admin.port=-1",
                        "plugins.watch-debounce=100ms",
                        "plugins.start-timeout=5m",
                        "server.shutdown-timeout=1s")
                .dir();
        Path log = tmp.resolve("serve.log");
        serve = ServeProcess.start(dist, log, "serve", "--port", "0");
        ServeProcess.servingPort(log);

        // Misbehaviour is not on the distribution's class path: the JAR carries it.
        plugin("hang")
                .extension(MisbehavingFilter.class)
                .withClass(Misbehaviour.class)
                .resource(Misbehaviour.RESOURCE, "hang")
                .writeTo(dist.resolve("plugins"), "hang.jar");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> Files.readString(log, StandardCharsets.UTF_8)
                        .contains("misbehaving plugin: start() begins: hang"));

        long start = System.nanoTime();
        serve.toHandle().destroy(); // SIGTERM

        assertThat(serve.waitFor(30, TimeUnit.SECONDS))
                .as("exited within 30 s of SIGTERM")
                .isTrue();
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(serve.exitValue()).as(out).isEqualTo(143);
        System.out.printf(
                "SIGTERM to exit with a plugin start hanging: %d ms%n", (System.nanoTime() - start) / 1_000_000);
        assertThat(out)
                .contains("Plugin JAR hang.jar skipped: start abandoned at " + Misbehaviour.class.getName())
                .contains("Shutdown: in-flight calls drained")
                .contains("Stopped the embedded ZooKeeper server");
    }
}
