package io.microrpc.plugin.registry.zookeeper;

import static io.microrpc.plugin.registry.zookeeper.ZkTesting.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ZooKeeper and a provider as separate processes that the test kills with SIGKILL: the real thing
 * rather than in-process stand-ins. ZooKeeper runs from the zookeeper artifact on the test class path
 * ({@code ZooKeeperServerMain port dataDir tickTime}).
 */
class SeparateProcessTest {

    private static final String SERVICE = "io.example.EchoService";

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();
    private final List<ZookeeperRegistry> registries = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        registries.forEach(ZookeeperRegistry::stop);
        processes.forEach(Process::destroyForcibly);
    }

    private Process java(String name, String mainClass, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m",
                "-Dzookeeper.admin.enableServer=false",
                "-cp",
                System.getProperty("java.class.path"),
                mainClass));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(false)
                .redirectError(dir.resolve(name + ".log").toFile())
                .start();
        processes.add(p);
        return p;
    }

    private Process zookeeper(int port) throws Exception {
        Process p = java(
                "zookeeper",
                "org.apache.zookeeper.server.ZooKeeperServerMain",
                String.valueOf(port),
                dir.resolve("zk-data").toString(),
                "200");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            }
        });
        return p;
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private ZookeeperRegistry registry(String name, String connect) throws Exception {
        ZookeeperRegistry r = ZkTesting.start(TestContext.of(dir.resolve(name))
                .with("address", connect)
                .with("session-timeout", ZkTesting.SESSION.toMillis() + "ms")
                .with("connection-timeout", "1s")
                .with("retry-base", "100ms"));
        registries.add(r);
        return r;
    }

    @Test
    void aKilledProviderLeavesWithinTheSessionTimeoutAndAKilledZooKeeperLosesNothing() throws Exception {
        int port = freePort();
        String connect = "127.0.0.1:" + port;
        Process zk = zookeeper(port);

        registry("a", connect).register(instance(SERVICE, 7001));
        Process provider = java(
                "provider",
                ProviderMain.class.getName(),
                connect,
                SERVICE,
                "7002",
                dir.resolve("b").toString());
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(provider.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).isEqualTo("REGISTERED");
        }
        Pushes pushes = new Pushes();
        registry("c", connect).subscribe(SERVICE, pushes);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> pushes.addresses().equals(List.of("127.0.0.1:7001", "127.0.0.1:7002")));

        // kill -9 of the provider: no session close; the server expires the session.
        provider.destroyForcibly().waitFor();
        long t0 = System.nanoTime();
        await().atMost(ZkTesting.SESSION.plusSeconds(3))
                .until(() -> pushes.addresses().equals(List.of("127.0.0.1:7001")));
        assertThat(Duration.ofNanos(System.nanoTime() - t0))
                .as("gone within the session timeout (plus a tick or two)")
                .isLessThan(ZkTesting.SESSION.plusMillis(1500));

        // kill -9 of ZooKeeper, down past the session timeout, then back from its data.
        zk.destroyForcibly().waitFor();
        await().pollDelay(ZkTesting.SESSION.plusMillis(500))
                .atMost(Duration.ofSeconds(10))
                .until(() -> pushes.addresses().equals(List.of("127.0.0.1:7001")));
        zookeeper(port);
        await().atMost(Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(() -> {
            try (var admin = ZkTesting.client(connect)) {
                assertThat(admin.getChildren().forPath("/microrpc/" + SERVICE + "/providers"))
                        .containsExactly("127.0.0.1:7001");
            }
        });
        registry("d", connect).register(instance(SERVICE, 7003));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> pushes.addresses().equals(List.of("127.0.0.1:7001", "127.0.0.1:7003")));
        assertThat(pushes.wipedAfterKnowingProviders()).isFalse();
    }
}
