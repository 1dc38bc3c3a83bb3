package io.microrpc.plugin.cluster.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.ReferenceOptions;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.testing.AlternatingBalancer;
import io.microrpc.kernel.testing.EchoApi;
import io.microrpc.kernel.testing.EchoImpl;
import io.microrpc.kernel.testing.JavaTestSerializer;
import io.microrpc.kernel.testing.PackagedPlugin;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged plugin JAR in a kernel's plugins folder, over real connections: two providers, one of
 * which drops every connection a call arrives on. Without the plugin, calls routed there fail; with
 * it, none of an idempotent method's does, and the dropping provider's circuit opens so it stops costing
 * retries. A method that is not idempotent is not retried after a lost attempt.
 */
class FailoverPluginJarIT {

    private static final int CALLS = 400;

    @TempDir
    Path dir;

    private MicroRpc client(String name, Path plugins, String cluster) {
        KernelSettings s = KernelSettings.builder()
                .callSerializer("java-test")
                .pluginsDir(plugins)
                .pluginsWatch(false)
                .dataDir(dir.resolve(name))
                .cluster(cluster)
                .reconnectInitialBackoff(Duration.ofMillis(20))
                .reconnectMaxBackoff(Duration.ofMillis(50))
                .build();
        return MicroRpc.builder()
                .settings(s)
                .extension(new JavaTestSerializer())
                .extension(new AlternatingBalancer())
                .start();
    }

    /** Calls the idempotent {@code echo}: a lost attempt may be retried. */
    private static int failures(EchoApi echo) {
        int failed = 0;
        for (int i = 0; i < CALLS; i++) {
            try {
                if (!echo.echo("m" + i).equals("m" + i)) {
                    failed++;
                }
            } catch (RuntimeException e) {
                failed++;
            }
        }
        return failed;
    }

    /** Calls {@code add}, which is not idempotent: an attempt lost after sending must not run again. */
    private static int addFailures(EchoApi echo, int calls) {
        int failed = 0;
        for (int i = 0; i < calls; i++) {
            try {
                echo.add(i, 1);
            } catch (RuntimeException e) {
                failed++;
            }
        }
        return failed;
    }

    @Test
    void withThePluginNoCallFailsWhenAProviderDropsEveryCall() throws Exception {
        Path plugins = PackagedPlugin.copyInto(dir.resolve("plugins"), "cluster-failover.jar");

        try (DroppingServer dropping = new DroppingServer();
                MicroRpc good = MicroRpc.builder()
                        .settings(KernelSettings.builder()
                                .serverHost("127.0.0.1")
                                .serverPort(0)
                                .callSerializer("java-test")
                                .pluginsDir(dir.resolve("none"))
                                .dataDir(dir.resolve("good"))
                                .build())
                        .extension(new JavaTestSerializer())
                        .start()) {
            good.export(EchoApi.class, new EchoImpl());
            ReferenceOptions both = ReferenceOptions.builder()
                    .addresses(List.of("127.0.0.1:" + good.port(), "127.0.0.1:" + dropping.port()))
                    .build();

            // Control: the same setup without a cluster policy loses calls.
            try (MicroRpc plain = client("plain", dir.resolve("none"), "")) {
                EchoApi echo = plain.reference(EchoApi.class, both);
                assertThat(failures(echo)).as("calls failed without the plugin").isPositive();
            }

            int droppedBefore = dropping.dropped();
            try (MicroRpc client = client("failover", plugins, "failover")) {
                assertThat(client.admin().activeExtensions().get("cluster"))
                        .contains("failover")
                        .contains("cluster-failover");
                EchoApi echo = client.reference(EchoApi.class, both);
                assertThat(failures(echo))
                        .as("calls failed with the failover plugin")
                        .isZero();
                assertThat(dropping.dropped() - droppedBefore)
                        .as("calls reached the dropping provider (and were retried on the good one), but its circuit "
                                + "opened after breaker-failures (5) failures instead of it taking half of " + CALLS
                                + " calls")
                        .isPositive()
                        .isLessThan(CALLS / 10);
            }

            // A method that is not idempotent: calls lost on the dropping provider (they may have run)
            // fail rather than run twice, until its circuit opens.
            try (MicroRpc client = client("failover-add", plugins, "failover")) {
                EchoApi echo = client.reference(EchoApi.class, both);
                assertThat(addFailures(echo, 40))
                        .as("non-idempotent calls lost after sending, not retried")
                        .isPositive();
            }
        }
    }
}
