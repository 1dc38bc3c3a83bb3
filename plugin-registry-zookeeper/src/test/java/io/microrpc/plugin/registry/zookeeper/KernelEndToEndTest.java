package io.microrpc.plugin.registry.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.ReferenceOptions;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.testing.AlternatingBalancer;
import io.microrpc.kernel.testing.CallerLoad;
import io.microrpc.kernel.testing.EchoApi;
import io.microrpc.kernel.testing.JavaTestSerializer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two and three kernels finding each other through ZooKeeper, with the registry embedded as an extension. */
class KernelEndToEndTest {

    private static final String PROVIDERS = "/microrpc/" + EchoApi.class.getName() + "/providers";

    @TempDir
    Path dir;

    private TestingServer server;
    private final Map<MicroRpc, ZookeeperRegistry> registries = new ConcurrentHashMap<>();

    @BeforeEach
    void startServer() throws Exception {
        server = ZkTesting.server();
    }

    @AfterEach
    void stopServer() throws Exception {
        server.close();
    }

    private MicroRpc kernel(String name) {
        KernelSettings s = KernelSettings.builder()
                .serverPort(0)
                .serverHost("127.0.0.1")
                .callSerializer("java-test")
                .pluginsDir(dir.resolve("no-plugins"))
                .dataDir(dir.resolve(name))
                .extensionKey("registry.zookeeper.address", server.getConnectString())
                .extensionKey("registry.zookeeper.session-timeout", ZkTesting.SESSION.toMillis() + "ms")
                .extensionKey("registry.zookeeper.connection-timeout", "1s")
                .extensionKey("registry.zookeeper.retry-base", "100ms")
                .build();
        ZookeeperRegistry registry = new ZookeeperRegistry();
        MicroRpc kernel = MicroRpc.builder()
                .settings(s)
                .extension(new JavaTestSerializer())
                .extension(new AlternatingBalancer())
                .extension(registry)
                .start();
        registries.put(kernel, registry);
        return kernel;
    }

    @Test
    void consumerCallsProvidersItFoundInZooKeeperAndKeepsCallingThemThroughAnOutage() throws Exception {
        try (MicroRpc p1 = kernel("p1");
                MicroRpc p2 = kernel("p2");
                MicroRpc consumer = kernel("c");
                CuratorFramework admin = ZkTesting.client(server)) {
            p1.export(EchoApi.class, new NamedEcho("p1"));
            EchoApi echo =
                    consumer.reference(EchoApi.class, ReferenceOptions.builder().build());
            await().atMost(Duration.ofSeconds(10))
                    .ignoreExceptions()
                    .until(() -> echo.echo("hi").equals("p1:hi"));

            p2.export(EchoApi.class, new NamedEcho("p2"));
            Set<String> answered = ConcurrentHashMap.newKeySet();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                answered.add(echo.echo("x"));
                return answered.containsAll(List.of("p1:x", "p2:x"));
            });

            CallerLoad load = new CallerLoad(() -> echo.echo("load"), 1).start();
            try {
                await().atMost(Duration.ofSeconds(5)).until(() -> load.calls() > 100);
                server.stop();
                // Longer than the session timeout: every kernel's session is given up and a new one started later.
                long during = load.calls();
                await().pollDelay(ZkTesting.SESSION.plusSeconds(1))
                        .atMost(ZkTesting.SESSION.plusSeconds(10))
                        .until(() -> load.calls() > during + 100);
                server.restart();
                await().atMost(Duration.ofSeconds(15))
                        .ignoreExceptions()
                        .untilAsserted(() -> assertThat(admin.getChildren().forPath(PROVIDERS))
                                .containsExactlyInAnyOrder("127.0.0.1:" + p1.port(), "127.0.0.1:" + p2.port()));
                long after = load.calls();
                await().atMost(Duration.ofSeconds(5)).until(() -> load.calls() > after + 100);
            } finally {
                load.stop();
            }
            assertThat(load.failures())
                    .as("failed calls to live providers during the outage")
                    .isEmpty();

            // A provider shutting down gracefully leaves the consumer's list; the other one serves.
            p1.close();
            await().atMost(Duration.ofSeconds(5))
                    .ignoreExceptions()
                    .untilAsserted(() -> assertThat(admin.getChildren().forPath(PROVIDERS))
                            .containsExactly("127.0.0.1:" + p2.port()));
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> {
                for (int i = 0; i < 20; i++) {
                    assertThat(echo.echo("y")).isEqualTo("p2:y");
                }
            });
        }
    }

    @Test
    void weightSetThroughTheKernelReachesTheNodeAndConsumersAndOutlivesANewSession() throws Exception {
        try (MicroRpc p1 = kernel("p1");
                MicroRpc consumer = kernel("c");
                CuratorFramework admin = ZkTesting.client(server)) {
            p1.export(EchoApi.class, new NamedEcho("p1"));
            String node = PROVIDERS + "/127.0.0.1:" + p1.port();
            EchoApi echo =
                    consumer.reference(EchoApi.class, ReferenceOptions.builder().build());
            assertThat(echo.echo("hi")).isEqualTo("p1:hi");
            assertThat(weightAt(consumer)).isEqualTo(100);

            p1.admin().setWeight(EchoApi.class.getName(), 25);
            assertThat(new String(admin.getData().forPath(node), StandardCharsets.UTF_8))
                    .contains("weight=25");
            await().atMost(Duration.ofSeconds(10)).until(() -> weightAt(consumer) == 25);

            // A new session registers again: with the weight set at runtime, not the configured one.
            Stat before = admin.checkExists().forPath(node);
            providerRegistry(p1)
                    .getZookeeperClient()
                    .getZooKeeper()
                    .getTestable()
                    .injectSessionExpiration();
            await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> {
                Stat now = admin.checkExists().forPath(node);
                return now != null && now.getEphemeralOwner() != before.getEphemeralOwner();
            });
            assertThat(new String(admin.getData().forPath(node), StandardCharsets.UTF_8))
                    .contains("weight=25");
            assertThat(echo.echo("still")).isEqualTo("p1:still");
        }
    }

    private static int weightAt(MicroRpc consumer) {
        return consumer.admin()
                .discoveredProviders()
                .get(EchoApi.class.getName())
                .get(0)
                .weight();
    }

    /** The Curator client of the ZooKeeper registry a kernel runs (the test adds it as an extension). */
    private CuratorFramework providerRegistry(MicroRpc kernel) throws Exception {
        return registries.get(kernel).client();
    }
}
