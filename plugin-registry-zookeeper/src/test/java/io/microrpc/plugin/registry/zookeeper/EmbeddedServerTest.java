package io.microrpc.plugin.registry.zookeeper;

import static io.microrpc.plugin.registry.zookeeper.ZkTesting.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The zero-setup default: no address, an embedded server that the processes of a machine share. */
class EmbeddedServerTest {

    private static final String SERVICE = "io.example.EchoService";
    private static final String SHARED_AUTH = "microrpc:shared-secret";

    @TempDir
    Path dir;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static TestContext embedded(Path data, int port) {
        return TestContext.of(data)
                .with("embedded-port", String.valueOf(port))
                .with("session-timeout", "4s")
                .with("connection-timeout", "2s")
                .with("retry-base", "100ms");
    }

    private static Set<Thread> threads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .collect(Collectors.toSet());
    }

    @Test
    void firstProviderRunsTheServerOthersJoinItAndAProviderTakesItOverWhenItGoesAndNothingKeepsRunning()
            throws Exception {
        Set<Thread> before = threads();
        int port = freePort();
        // Two data directories (an application with a data.dir of its own next to an installation): they
        // share the credentials through registry.zookeeper.auth instead of the generated file.
        ZookeeperRegistry first =
                ZkTesting.start(embedded(dir.resolve("a"), port).with("auth", SHARED_AUTH));
        assertThat(dir.resolve("a/zookeeper"))
                .as("start() alone does not connect, nor start a server")
                .doesNotExist();
        first.register(instance(SERVICE, 7001));
        assertThat(dir.resolve("a/zookeeper"))
                .as("data under dataDirectory()/zookeeper")
                .isDirectory();

        // Session timeout 20 s: the takeover below must not wait for it.
        ZookeeperRegistry second = ZkTesting.start(
                embedded(dir.resolve("b"), port).with("session-timeout", "20s").with("auth", SHARED_AUTH));
        Pushes pushes = new Pushes();
        second.subscribe(SERVICE, pushes);
        assertThat(dir.resolve("b/zookeeper/lock"))
                .as("the second one is only a client")
                .doesNotExist();
        await().atMost(Duration.ofSeconds(5)).until(() -> pushes.addresses().equals(List.of("127.0.0.1:7001")));
        second.register(instance(SERVICE, 7002));
        await().atMost(Duration.ofSeconds(5)).until(() -> pushes.addresses().size() == 2);
        long session = second.client().getZookeeperClient().getZooKeeper().getSessionId();

        // The process running the server goes; the other one, a provider too, starts it. Its data directory
        // is another one (an application with a data.dir of its own), so its session is unknown there: it
        // starts a new one at once (the server's transaction ids are ahead of the old server's, so it does
        // not refuse the client until its session times out) and registers again.
        first.stop();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> {
            assertThat(dir.resolve("b/zookeeper")).isDirectory();
            assertThat(children(port, "/microrpc/" + SERVICE + "/providers")).containsExactly("127.0.0.1:7002");
        });
        assertThat(second.client().getZookeeperClient().getZooKeeper().getSessionId())
                .isNotEqualTo(session);
        await().atMost(Duration.ofSeconds(10)).until(() -> pushes.addresses().equals(List.of("127.0.0.1:7002")));
        assertThat(pushes.wipedAfterKnowingProviders()).isFalse();

        second.stop();
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", port));
        }
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(threads().stream()
                                .filter(t -> !before.contains(t))
                                .map(Thread::getName)
                                .filter(n -> !n.startsWith("test-blocking") && !n.startsWith("awaitility")))
                        .as("threads left running after stop()")
                        .isEmpty());
    }

    @Test
    void aConsumerNeverRunsTheServerAndWaitsWithoutConnectionAttemptsUntilAProviderDoes() throws Exception {
        int port = freePort();
        ZookeeperRegistry consumer = ZkTesting.start(embedded(dir.resolve("consumer"), port));
        ZookeeperRegistry provider = ZkTesting.start(embedded(dir.resolve("provider"), port));
        try {
            Pushes pushes = new Pushes();
            String log = ZkTesting.logOf(() -> {
                consumer.subscribe(SERVICE, pushes);
                assertThat(dir.resolve("consumer/zookeeper/lock"))
                        .as("a consumer does not run the server")
                        .doesNotExist();
                provider.register(instance(SERVICE, 7001));
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> pushes.addresses().equals(List.of("127.0.0.1:7001")));
            });
            assertThat(dir.resolve("provider/zookeeper")).isDirectory();
            assertThat(log)
                    .contains("ZooKeeper at 127.0.0.1:" + port + " (embedded) is unreachable")
                    .contains("a provider process runs the embedded server");
            assertThat(log)
                    .as("the client made no connection attempt while nothing served the port")
                    .doesNotContain("Closing socket connection")
                    .doesNotContain("Connection refused");
        } finally {
            consumer.stop();
            provider.stop();
        }
    }

    @Test
    void aNewVersionOfThePluginKeepsItsRegistrationsWhenTheOldOneStopsItsServer() throws Exception {
        // A hot swap in one kernel: both versions share the plugin's data directory; the old one runs the
        // server, the new one registers (taking the node over) before the old one is stopped.
        int port = freePort();
        ZookeeperRegistry old = ZkTesting.start(embedded(dir, port));
        old.register(instance(SERVICE, 7001));
        ZookeeperRegistry next = ZkTesting.start(embedded(dir, port));
        next.register(instance(SERVICE, 7001));
        long session = next.client().getZookeeperClient().getZooKeeper().getSessionId();
        try {
            old.stop();
            // The new version starts the server again from the same data: its session and node are still there.
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> {
                assertThat(next.client().getZookeeperClient().isConnected()).isTrue();
                assertThat(children(port, "/microrpc/" + SERVICE + "/providers"))
                        .containsExactly("127.0.0.1:7001");
            });
            assertThat(next.client().getZookeeperClient().getZooKeeper().getSessionId())
                    .isEqualTo(session);
        } finally {
            next.stop();
        }
    }

    private static List<String> children(int port, String path) throws Exception {
        try (CuratorFramework c = CuratorFrameworkFactory.builder()
                .connectString("127.0.0.1:" + port)
                .retryPolicy(new RetryOneTime(100))
                .runSafeService(Runnable::run)
                .build()) {
            c.start();
            c.blockUntilConnected();
            return c.getChildren().forPath(path);
        }
    }

    @Test
    void embeddedServerKeepsItsNodesAcrossARestartOfTheSameProcess() throws Exception {
        int port = freePort();
        ZookeeperRegistry r = ZkTesting.start(embedded(dir, port));
        r.register(instance(SERVICE, 7001));
        r.stop();
        try (Stream<Path> files = Files.list(dir.resolve("zookeeper"))) {
            assertThat(files.count()).isPositive();
        }

        r = ZkTesting.start(embedded(dir, port));
        try {
            // A provider again (of another service): it runs the server.
            r.register(instance("io.example.OtherService", 7002));
            Pushes pushes = new Pushes();
            r.subscribe(SERVICE, pushes);
            await().atMost(Duration.ofSeconds(5)).until(() -> pushes.count() > 0);
            assertThat(pushes.latest())
                    .as("the ephemeral node went with the closed session")
                    .isEmpty();
            assertThat(children(port, "/microrpc/" + SERVICE))
                    .as("persistent parents stayed")
                    .containsExactly("providers");
        } finally {
            r.stop();
        }
    }
}
