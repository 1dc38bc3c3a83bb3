package io.microrpc.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.microrpc.demo.api.EchoService;
import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.ReferenceOptions;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.testing.CallerLoad;
import io.microrpc.spi.ServiceInstance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution's default registry as a user meets it: two {@code bin/microrpc serve} processes on
 * one machine, no ZooKeeper installed. The first starts the embedded server, the second joins it, and a
 * consumer that knows only the ZooKeeper address finds and calls both; when the first process stops, its
 * services leave the consumer's list, the second process runs the server, and calls go on.
 *
 * <p>The copied distribution's configuration is changed only where a test on a shared machine must: the
 * embedded server's port (a free one, not 2181), loopback for the servers, the admin endpoints off.
 */
class ServeWithRegistryIT {

    private static final Path DIST = Path.of(System.getProperty("microrpc.dist.dir", "target/microrpc"));
    private static final String ECHO = EchoService.class.getName();

    @TempDir
    Path tmp;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void twoServesOnOneMachineShareTheEmbeddedZooKeeperAndAConsumerFindsBoth() throws Exception {
        DistributionCopy.OnLoopback copy = DistributionCopy.onLoopback(DIST, tmp.resolve("microrpc"), "admin.port=-1");
        Path dist = copy.dir();
        int zk = copy.zookeeperPort();

        Path firstLog = tmp.resolve("first.log");
        Process first = serve(dist, firstLog);
        int firstPort = ServeProcess.servingPort(firstLog);
        assertThat(Files.readString(firstLog))
                .contains("Started an embedded ZooKeeper server on 127.0.0.1:" + zk)
                .contains("Registered " + ECHO + "@127.0.0.1:" + firstPort);

        Path secondLog = tmp.resolve("second.log");
        serve(dist, secondLog);
        int secondPort = ServeProcess.servingPort(secondLog);
        assertThat(Files.readString(secondLog))
                .contains("127.0.0.1:" + zk + " is taken")
                .contains("Registered " + ECHO + "@127.0.0.1:" + secondPort)
                .doesNotContain("Started an embedded ZooKeeper server");

        try (MicroRpc consumer = consumer(dist, zk, KernelSettings.builder())) {
            EchoService echo = consumer.reference(
                    EchoService.class, ReferenceOptions.builder().build());
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> ports(consumer)
                            .equals(List.of(firstPort, secondPort).stream()
                                    .sorted()
                                    .toList()));
            assertThat(echo.echo("found through ZooKeeper")).isEqualTo("found through ZooKeeper");

            first.toHandle().destroy(); // SIGTERM: a graceful shutdown unregisters before it stops accepting
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.readString(firstLog)).contains("Unregistered " + ECHO + "@127.0.0.1:" + firstPort);
            await().atMost(Duration.ofSeconds(30)).until(() -> ports(consumer).equals(List.of(secondPort)));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> Files.readString(secondLog).contains("this process runs it now"));
            for (int i = 0; i < 50; i++) {
                assertThat(echo.echo("still served " + i)).isEqualTo("still served " + i);
            }
        }
    }

    /**
     * The distribution's defaults together (ZooKeeper discovery, failover, round robin): a provider
     * killed with SIGKILL under load costs no call, and leaves the consumer's list within the session
     * timeout.
     */
    @Test
    void aProviderKilledUnderLoadCostsNoCallAndLeavesTheList() throws Exception {
        DistributionCopy.OnLoopback copy = DistributionCopy.onLoopback(
                DIST, tmp.resolve("microrpc"), "admin.port=-1", "registry.zookeeper.session-timeout=4s");
        Path dist = copy.dir();
        int zk = copy.zookeeperPort();
        Path firstLog = tmp.resolve("first.log");
        serve(dist, firstLog);
        int firstPort = ServeProcess.servingPort(firstLog);
        Path secondLog = tmp.resolve("second.log");
        Process second = serve(dist, secondLog);
        int secondPort = ServeProcess.servingPort(secondLog);

        try (MicroRpc consumer = consumer(
                dist, zk, KernelSettings.builder().loadbalancer("round-robin").cluster("failover"))) {
            EchoService echo = consumer.reference(
                    EchoService.class, ReferenceOptions.builder().build());
            await().atMost(Duration.ofSeconds(10)).until(() -> ports(consumer).size() == 2);
            CallerLoad load = new CallerLoad(() -> echo.echo("x"), 8).start();
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> load.calls() > 2_000);
                second.destroyForcibly(); // SIGKILL: no unregistering, no GOAWAY; calls on it are cut off
                assertThat(second.waitFor(10, TimeUnit.SECONDS)).isTrue();
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> ports(consumer).equals(List.of(firstPort)));
                long after = load.calls();
                await().atMost(Duration.ofSeconds(10)).until(() -> load.calls() > after + 2_000);
            } finally {
                load.stop();
            }
            assertThat(load.failures())
                    .as("failed calls around the kill of the provider on port " + secondPort)
                    .isEmpty();
        }
    }

    /** A kernel in this JVM with the distribution's plugins that knows only the ZooKeeper address; exports nothing. */
    private MicroRpc consumer(Path dist, int zk, KernelSettings.Builder settings) {
        return MicroRpc.builder()
                .settings(settings.pluginsDir(dist.resolve("plugins"))
                        .dataDir(tmp.resolve("consumer"))
                        .pluginsWatch(false)
                        .serverPort(0)
                        .serverHost("127.0.0.1")
                        .extensionKey("registry.zookeeper.address", "127.0.0.1:" + zk)
                        .build())
                .exportServicePlugins(false)
                .start();
    }

    private Process serve(Path dist, Path log) throws IOException {
        Process p = ServeProcess.start(dist, log, "serve", "--port", "0");
        processes.add(p);
        return p;
    }

    private static List<Integer> ports(MicroRpc consumer) {
        return consumer.admin().discoveredProviders().getOrDefault(ECHO, List.of()).stream()
                .map(ServiceInstance::port)
                .sorted()
                .toList();
    }
}
