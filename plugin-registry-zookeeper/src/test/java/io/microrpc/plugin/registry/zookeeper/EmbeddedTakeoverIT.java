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
import io.microrpc.kernel.testing.PackagedPlugin;
import io.microrpc.spi.ServiceInstance;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of the process running the embedded server, with two providers in JVMs of their own
 * loading the shaded plugin JAR from one installation's data directory (as {@code bin/microrpc serve}
 * does) and a consumer elsewhere (an application with a data directory of its own): the surviving
 * provider takes the server over from the shared data within moments and keeps its registration, the
 * consumer never runs the server, the killed provider's node goes at once and never comes back, calls
 * go on, and the survivor's log tells the story in a few lines without a stack trace.
 */
class EmbeddedTakeoverIT {

    private static final String PROVIDERS = "/microrpc/" + EchoApi.class.getName() + "/providers";
    /**
     * Long, so that the killed provider's node going within half of it was the takeover's doing, not the
     * expiry of its session.
     */
    private static final Duration SESSION = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killChildren() {
        processes.forEach(Process::destroyForcibly);
    }

    private record Provider(Process process, int port, Path logFile) {
        String address() {
            return "127.0.0.1:" + port;
        }

        String log() throws Exception {
            return Files.readString(logFile, StandardCharsets.UTF_8);
        }
    }

    /** A provider JVM with the log levels bin/microrpc sets; returns once it has exported its service. */
    private Provider provider(String name, Path plugins, int zkPort, Path dataDir) throws Exception {
        Path log = dir.resolve(name + ".log");
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m",
                "-Dzookeeper.admin.enableServer=false",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                "-Dorg.slf4j.simpleLogger.log.org.pf4j=warn",
                "-Dorg.slf4j.simpleLogger.log.org.apache.zookeeper=warn",
                "-Dorg.slf4j.simpleLogger.log.org.apache.curator=warn",
                "-cp",
                System.getProperty("java.class.path"),
                EmbeddedProviderMain.class.getName(),
                name,
                plugins.toString(),
                String.valueOf(zkPort),
                dataDir.toString(),
                SESSION.toMillis() + "ms");
        Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
        processes.add(p);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertThat(line)
                .as("%s started (its log: %s)", name, Files.readString(log))
                .startsWith("EXPORTED ");
        return new Provider(p, Integer.parseInt(line.substring("EXPORTED ".length())), log);
    }

    private static MicroRpc consumer(Path plugins, Path dataDir, int zkPort) {
        KernelSettings s = KernelSettings.builder()
                .serverPort(0)
                .serverHost("127.0.0.1")
                .callSerializer("java-test")
                .pluginsDir(plugins)
                .pluginsWatch(false)
                .dataDir(dataDir)
                .extensionKey("registry.zookeeper.embedded-port", String.valueOf(zkPort))
                .extensionKey("registry.zookeeper.session-timeout", SESSION.toMillis() + "ms")
                .extensionKey("registry.zookeeper.connection-timeout", "2s")
                .build();
        return MicroRpc.builder()
                .settings(s)
                .extension(new JavaTestSerializer())
                .extension(new AlternatingBalancer())
                .start();
    }

    private static List<String> children(int zkPort) throws Exception {
        try (CuratorFramework c = CuratorFrameworkFactory.builder()
                .connectString("127.0.0.1:" + zkPort)
                .sessionTimeoutMs(5_000)
                .connectionTimeoutMs(1_000)
                .retryPolicy(new RetryOneTime(100))
                .ensembleTracker(false)
                .runSafeService(Runnable::run)
                .build()) {
            c.start();
            if (!c.blockUntilConnected(2, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no ZooKeeper server answers on " + zkPort);
            }
            return c.getChildren().forPath(PROVIDERS);
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static long count(String log, String containing) {
        return log.lines().filter(l -> l.contains(containing)).count();
    }

    @Test
    void theSurvivingProviderTakesTheServerOverAndTheKilledHostsNodeDoesNotComeBack() throws Exception {
        Path plugins = PackagedPlugin.copyInto(dir.resolve("plugins"), "registry-zookeeper.jar");
        int zkPort = freePort();
        Path installation = dir.resolve("installation");
        Provider a = provider("a", plugins, zkPort, installation);
        Provider b = provider("b", plugins, zkPort, installation);
        assertThat(a.log()).contains("Started an embedded ZooKeeper server");
        assertThat(b.log()).doesNotContain("Started an embedded ZooKeeper server");
        Path serverData = installation.resolve("plugins/registry-zookeeper/zookeeper");
        assertThat(serverData).isDirectory();

        Path applicationData = dir.resolve("application");
        try (MicroRpc consumer = consumer(plugins, applicationData, zkPort)) {
            EchoApi echo =
                    consumer.reference(EchoApi.class, ReferenceOptions.builder().build());
            Set<String> answered = ConcurrentHashMap.newKeySet();
            await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> {
                answered.add(echo.echo("x"));
                return answered.containsAll(List.of("a:x", "b:x"));
            });
            // A second consumer whose every push the test sees (an application using the registry directly).
            ZookeeperRegistry watcher = ZkTesting.start(TestContext.of(dir.resolve("watcher"))
                    .with("embedded-port", String.valueOf(zkPort))
                    .with("session-timeout", SESSION.toMillis() + "ms"));
            Pushes pushes = new Pushes();
            CallerLoad load = new CallerLoad(
                    () -> {
                        String answer = echo.echo("load");
                        if (!answer.endsWith(":load")) {
                            throw new AssertionError("wrong answer " + answer);
                        }
                    },
                    2);
            try {
                watcher.subscribe(EchoApi.class.getName(), pushes);
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> pushes.addresses().size() == 2);
                load.start();
                await().atMost(Duration.ofSeconds(10)).until(() -> load.calls() > 100);
                int bLogBefore = b.log().length();

                a.process().destroyForcibly().waitFor();

                // Within half the session timeout: the killed host's session was closed by the takeover,
                // not expired; the survivor's node is there, in its own session, restored from the shared data.
                await().atMost(SESSION.dividedBy(2))
                        .ignoreExceptions()
                        .untilAsserted(() -> assertThat(children(zkPort)).containsExactly(b.address()));
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> pushes.addresses().equals(List.of(b.address())));
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> b.log().substring(bLogBefore).contains("again after"));
                long calls = load.calls();
                await().atMost(Duration.ofSeconds(10)).until(() -> load.calls() > calls + 100);

                String bLog = b.log().substring(bLogBefore);
                System.out.printf(
                        "Killed the provider running the embedded server (a, %s); the log of the survivor (b, %s) since:%n%s",
                        a.address(), b.address(), bLog);
                assertThat(bLog)
                        .as("b after the kill:%n%s", bLog)
                        .contains("this process runs it now")
                        .contains("Closed 1 ZooKeeper sessions restored from " + serverData)
                        .contains("[" + PROVIDERS + "/" + a.address() + "]")
                        .contains("again after")
                        .contains("same session")
                        .contains("registrations intact");
                assertThat(count(bLog, " WARN "))
                        .as("warnings in b's log after the kill:%n%s", bLog)
                        .isEqualTo(1);
                assertThat(count(bLog, "Lost the connection to ZooKeeper")).isEqualTo(1);
                assertThat(count(bLog, " ERROR ")).isZero();
                assertThat(bLog.lines().filter(l -> l.startsWith("\tat ") || l.startsWith("Caused by")))
                        .as("stack trace lines")
                        .isEmpty();
                assertThat(bLog.lines().count())
                        .as("lines in b's log after the kill:%n%s", bLog)
                        .isLessThanOrEqualTo(8);
            } finally {
                load.stop();
                watcher.stop();
            }
            assertThat(Files.exists(applicationData.resolve("plugins/registry-zookeeper/zookeeper/lock")))
                    .as("the consumer ran an embedded server")
                    .isFalse();
            // Calls in flight to the killed provider fail (this consumer has no failover policy); no other call does.
            assertThat(load.failures()).allSatisfy(f -> assertThat(f).hasMessageContaining(a.address()));
            assertThat(load.failures().size()).as("failed calls").isLessThanOrEqualTo(10);
            int firstWithoutA = -1;
            List<List<ServiceInstance>> all = pushes.all();
            for (int i = 0; i < all.size(); i++) {
                boolean hasA = all.get(i).stream().anyMatch(p -> p.address().equals(a.address()));
                if (!hasA && firstWithoutA < 0) {
                    firstWithoutA = i;
                }
                assertThat(firstWithoutA < 0 || !hasA)
                        .as("push %s after the killed provider left: %s", i, all)
                        .isTrue();
            }
            assertThat(pushes.wipedAfterKnowingProviders()).isFalse();
        }

        // The consumer exits: the providers' server and nodes are not affected (it never ran the server).
        assertThat(children(zkPort)).containsExactly(b.address());
        assertThat(count(b.log(), "Lost the connection to ZooKeeper")).isEqualTo(1);
    }
}
