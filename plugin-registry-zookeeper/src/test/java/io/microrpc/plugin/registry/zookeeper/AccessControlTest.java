package io.microrpc.plugin.registry.zookeeper;

import static io.microrpc.plugin.registry.zookeeper.ZkTesting.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.microrpc.spi.ServiceInstance;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.server.NIOServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may write the registry: with the embedded server, only the processes of the installation (the
 * generated credentials); with an ensemble, those with {@code registry.zookeeper.auth}. The attack these
 * close: an anonymous local client adding a provider of its own and setting the real ones' weight to 0,
 * which moved every call of a consumer to the fake provider within a second.
 */
class AccessControlTest {

    private static final String SERVICE = "io.example.EchoService";
    private static final String PROVIDERS = "/microrpc/" + SERVICE + "/providers";

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

    /** A client with no credentials, as any local user can run one. */
    private static CuratorFramework anonymous(int port) throws InterruptedException {
        return ZkTesting.client("127.0.0.1:" + port);
    }

    private static CuratorFramework authenticated(String connect, String auth) throws InterruptedException {
        CuratorFramework c = CuratorFrameworkFactory.builder()
                .connectString(connect)
                .authorization("digest", auth.getBytes(StandardCharsets.UTF_8))
                .retryPolicy(new RetryOneTime(100))
                .runSafeService(Runnable::run)
                .build();
        c.start();
        c.blockUntilConnected();
        return c;
    }

    /** ZooKeeper shows a digest ACL's hash only to clients with ADMIN permission on the node. */
    private static void assertAcl(int port, String auth, List<String> paths, List<ACL> expected) throws Exception {
        try (CuratorFramework admin = authenticated("127.0.0.1:" + port, auth)) {
            for (String path : paths) {
                assertThat(new HashSet<>(admin.getACL().forPath(path))).as(path).isEqualTo(new HashSet<>(expected));
            }
        }
    }

    private static List<ACL> embeddedAcl(String auth) {
        return RegistryAcl.embedded(auth).acl();
    }

    private static String installationAuth(Path data) throws Exception {
        return EmbeddedCredentials.loadOrCreate(data.resolve("zookeeper/credentials"))
                .auth();
    }

    private static Map<String, Integer> weights(Pushes pushes) {
        return pushes.latest().stream().collect(Collectors.toMap(ServiceInstance::address, ServiceInstance::weight));
    }

    @Test
    void anAnonymousClientCanNeitherAddAProviderNorChangeTheRealOnesAndTheConsumerSeesNothingOfIt() throws Exception {
        int port = freePort();
        Path installation = dir.resolve("installation");
        ZookeeperRegistry p1 = ZkTesting.start(embedded(installation, port));
        ZookeeperRegistry p2 = ZkTesting.start(embedded(installation, port));
        // A consumer elsewhere (an application with a data directory of its own): it only reads.
        ZookeeperRegistry consumer = ZkTesting.start(embedded(dir.resolve("application"), port));
        try {
            p1.register(instance(SERVICE, 7001));
            p2.register(instance(SERVICE, 7002));
            hijackIsRefused(port, installation, p1, consumer);
        } finally {
            consumer.stop();
            p2.stop();
            p1.stop();
        }
    }

    private static void hijackIsRefused(int port, Path installation, ZookeeperRegistry p1, ZookeeperRegistry consumer)
            throws Exception {
        try (CuratorFramework stranger = anonymous(port)) {
            Pushes pushes = new Pushes();
            consumer.subscribe(SERVICE, pushes);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> pushes.addresses().equals(List.of("127.0.0.1:7001", "127.0.0.1:7002")));
            Map<String, Integer> before = weights(pushes);
            assertThat(before).containsEntry("127.0.0.1:7001", 50).containsEntry("127.0.0.1:7002", 50);

            byte[] fake = NodeData.encode(ServiceInstance.builder(SERVICE, "127.0.0.1", 6666)
                    .weight(1000)
                    .build());
            assertThatThrownBy(() -> stranger.create()
                            .withMode(CreateMode.EPHEMERAL)
                            .forPath(PROVIDERS + "/127.0.0.1:6666", fake))
                    .isInstanceOf(KeeperException.NoAuthException.class);
            for (String real : List.of("127.0.0.1:7001", "127.0.0.1:7002")) {
                byte[] zero = NodeData.encode(ServiceInstance.builder(SERVICE, "127.0.0.1", 7001)
                        .weight(0)
                        .build());
                assertThatThrownBy(() -> stranger.setData().forPath(PROVIDERS + "/" + real, zero))
                        .isInstanceOf(KeeperException.NoAuthException.class);
                assertThatThrownBy(() -> stranger.delete().forPath(PROVIDERS + "/" + real))
                        .isInstanceOf(KeeperException.NoAuthException.class);
                assertThatThrownBy(() -> stranger.setACL()
                                .withACL(ZooDefs.Ids.OPEN_ACL_UNSAFE)
                                .forPath(PROVIDERS + "/" + real))
                        .isInstanceOf(KeeperException.NoAuthException.class);
            }
            // Nor around it: no sibling of the root, no replacing the root or the process records.
            assertThatThrownBy(() -> stranger.create().forPath("/microrpc2"))
                    .isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> stranger.create().forPath("/microrpc/io.example.Fake"))
                    .isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> stranger.create().forPath(ProcessRecord.PARENT + "/0x1"))
                    .isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> stranger.setACL()
                            .withACL(ZooDefs.Ids.OPEN_ACL_UNSAFE)
                            .forPath("/"))
                    .isInstanceOf(KeeperException.NoAuthException.class);

            // Reading still works, for debugging (zkCli ls/get) and for consumers without credentials.
            assertThat(stranger.getChildren().forPath(PROVIDERS)).containsExactly("127.0.0.1:7001", "127.0.0.1:7002");
            assertThat(new String(stranger.getData().forPath(PROVIDERS + "/127.0.0.1:7001"), StandardCharsets.UTF_8))
                    .contains("weight=50");

            // Every node microrpc wrote, and the root, carry the installation's ACL.
            List<ACL> expected = embeddedAcl(installationAuth(installation));
            List<String> owned = new ArrayList<>(List.of(
                    "/",
                    "/microrpc",
                    "/microrpc/" + SERVICE,
                    PROVIDERS,
                    PROVIDERS + "/127.0.0.1:7001",
                    PROVIDERS + "/127.0.0.1:7002",
                    ProcessRecord.TREE,
                    ProcessRecord.PARENT));
            stranger.getChildren()
                    .forPath(ProcessRecord.PARENT)
                    .forEach(r -> owned.add(ProcessRecord.PARENT + "/" + r));
            assertThat(owned).hasSize(10);
            assertAcl(port, installationAuth(installation), owned, expected);

            assertThat(weights(pushes)).as("the consumer's view").isEqualTo(before);

            // A weight changed by the installation itself still goes through.
            p1.register(instance(SERVICE, 7001).toBuilder().weight(20).build());
            await().atMost(Duration.ofSeconds(10)).until(() -> weights(pushes).get("127.0.0.1:7001") == 20);
            assertThat(pushes.all())
                    .allSatisfy(list -> assertThat(list)
                            .extracting(ServiceInstance::address)
                            .doesNotContain("127.0.0.1:6666"));
            assertThat(pushes.all())
                    .allSatisfy(list ->
                            assertThat(list).extracting(ServiceInstance::weight).doesNotContain(0));
        }
    }

    @Test
    void credentialsAreGeneratedOwnerOnlyAtTheFirstConnectionAndReusedAfterwards() throws Exception {
        int port = freePort();
        Path installation = dir.resolve("installation");
        Path file = installation.resolve("zookeeper/credentials");
        ZookeeperRegistry r = ZkTesting.start(embedded(installation, port));
        assertThat(file).as("start() alone writes nothing").doesNotExist();
        r.register(instance(SERVICE, 7001));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        String first = Files.readString(file);
        assertThat(first.lines().filter(l -> !l.startsWith("#")))
                .singleElement()
                .asString()
                .matches("microrpc:[A-Za-z0-9_-]{43}");
        r.stop();

        r = ZkTesting.start(embedded(installation, port));
        try {
            r.register(instance(SERVICE, 7002));
            assertThat(Files.readString(file)).isEqualTo(first);
            try (CuratorFramework c = authenticated("127.0.0.1:" + port, installationAuth(installation))) {
                c.create().withACL(embeddedAcl(installationAuth(installation))).forPath(PROVIDERS + "/probe");
            }
        } finally {
            r.stop();
        }
        try (var files = Files.list(file.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .as("no temporary files left")
                    .noneMatch(n -> n.startsWith("credentials."));
        }
    }

    @Test
    void processesStartingAtOnceAgreeOnOnePassword() throws Exception {
        Path file = dir.resolve("race/zookeeper/credentials");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Callable<String> load =
                        () -> EmbeddedCredentials.loadOrCreate(file).auth();
                results.add(pool.submit(load));
            }
            List<String> auths = new ArrayList<>();
            for (Future<String> f : results) {
                auths.add(f.get());
            }
            assertThat(new HashSet<>(auths)).hasSize(1);
            assertThat(EmbeddedCredentials.loadOrCreate(file).auth()).isEqualTo(auths.get(0));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aProcessWithOtherCredentialsCannotWriteAndIsToldWhichFileItUses() throws Exception {
        int port = freePort();
        ZookeeperRegistry installation = ZkTesting.start(embedded(dir.resolve("installation"), port));
        ZookeeperRegistry stranger = ZkTesting.start(embedded(dir.resolve("elsewhere"), port));
        try {
            installation.register(instance(SERVICE, 7001));
            Path theirs = dir.resolve("elsewhere/zookeeper/credentials");
            assertThatThrownBy(() -> stranger.register(instance(SERVICE, 7001)))
                    .hasMessageContaining("ZooKeeper refused to register")
                    .hasMessageContaining("not authorized")
                    .hasMessageContaining("the credentials in " + theirs)
                    .hasMessageContaining("registry.zookeeper.embedded-data-dir")
                    .hasRootCauseInstanceOf(KeeperException.NoAuthException.class);
            try (CuratorFramework c = anonymous(port)) {
                assertThat(new String(c.getData().forPath(PROVIDERS + "/127.0.0.1:7001"), StandardCharsets.UTF_8))
                        .contains("weight=50");
            }
        } finally {
            stranger.stop();
            installation.stop();
        }
    }

    @Test
    void aCorruptOrUnreadableCredentialsFileIsNamedWithWhatToDo() throws Exception {
        int port = freePort();
        Path corrupt = dir.resolve("corrupt/zookeeper/credentials");
        Files.createDirectories(corrupt.getParent());
        Files.writeString(corrupt, "# nothing but a comment\n");
        ZookeeperRegistry r = ZkTesting.start(embedded(dir.resolve("corrupt"), port));
        try {
            assertThatThrownBy(() -> r.register(instance(SERVICE, 7001)))
                    .hasMessageContaining("the embedded ZooKeeper credentials " + corrupt + " are corrupt")
                    .hasMessageContaining("expected: one line user:password")
                    .hasMessageContaining("If no other microrpc process uses it")
                    .hasMessageContaining("delete it");
        } finally {
            r.stop();
        }
        assertThat(Files.readString(corrupt)).as("left as it was").isEqualTo("# nothing but a comment\n");

        // Unreadable (a directory here: the tests may run as root, who reads any file).
        Path unreadable = dir.resolve("unreadable/zookeeper/credentials");
        Files.createDirectories(unreadable);
        ZookeeperRegistry u = ZkTesting.start(embedded(dir.resolve("unreadable"), port));
        try {
            assertThatThrownBy(() -> u.register(instance(SERVICE, 7001)))
                    .hasMessageContaining("cannot read the embedded ZooKeeper credentials " + unreadable);
        } finally {
            u.stop();
        }
    }

    @Test
    void dataWrittenWithoutAccessControlIsTightenedWhenTheServerStarts() throws Exception {
        // An older version's data: every node world:anyone with all permissions.
        Path installation = dir.resolve("installation");
        Path data = installation.resolve("zookeeper");
        ZooKeeperServer old = new ZooKeeperServer(
                data.resolve("snapshots").toFile(), data.resolve("log").toFile(), 500);
        NIOServerCnxnFactory factory = new NIOServerCnxnFactory();
        factory.configure(new InetSocketAddress("127.0.0.1", 0), 10);
        factory.startup(old);
        try (CuratorFramework c = ZkTesting.client("127.0.0.1:" + factory.getLocalPort())) {
            c.create().creatingParentsIfNeeded().forPath(PROVIDERS + "/127.0.0.1:7009", "weight=1".getBytes());
            c.create().creatingParentsIfNeeded().forPath(ProcessRecord.PARENT);
            assertThat(c.getACL().forPath(PROVIDERS)).isEqualTo(ZooDefs.Ids.OPEN_ACL_UNSAFE);
        } finally {
            factory.shutdown();
            old.shutdown();
        }

        int port = freePort();
        String log = ZkTesting.logOf(() -> {
            ZookeeperRegistry r = ZkTesting.start(embedded(installation, port));
            try {
                r.register(instance(SERVICE, 7001));
            } finally {
                r.stop();
            }
        });
        assertThat(log).contains("Set the access control of 6 nodes restored from " + data);

        // Started again from the tightened data: nothing to change, and the log replays cleanly.
        String again = ZkTesting.logOf(() -> {
            ZookeeperRegistry r = ZkTesting.start(embedded(installation, port));
            try {
                r.register(instance(SERVICE, 7001));
                List<ACL> expected = embeddedAcl(installationAuth(installation));
                try (CuratorFramework stranger = anonymous(port)) {
                    assertAcl(
                            port,
                            installationAuth(installation),
                            List.of("/", "/microrpc", "/microrpc/" + SERVICE, PROVIDERS, PROVIDERS + "/127.0.0.1:7009"),
                            expected);
                    assertThatThrownBy(() -> stranger.setData().forPath(PROVIDERS + "/127.0.0.1:7009", new byte[0]))
                            .isInstanceOf(KeeperException.NoAuthException.class);
                    assertThatThrownBy(() -> stranger.create().forPath(PROVIDERS + "/127.0.0.1:6666"))
                            .isInstanceOf(KeeperException.NoAuthException.class);
                }
            } finally {
                r.stop();
            }
        });
        assertThat(again).doesNotContain("Set the access control").doesNotContain("ERROR");
    }

    @Test
    void withAnEnsembleTheAuthSettingGuardsReadingAndWriting() throws Exception {
        try (TestingServer server = ZkTesting.server()) {
            String auth = "rpc:s3cret";
            ZookeeperRegistry provider =
                    ZkTesting.start(ZkTesting.context(dir.resolve("p"), server).with("auth", auth));
            ZookeeperRegistry consumer =
                    ZkTesting.start(ZkTesting.context(dir.resolve("c"), server).with("auth", auth));
            ZookeeperRegistry wrong =
                    ZkTesting.start(ZkTesting.context(dir.resolve("w"), server).with("auth", "rpc:guess"));
            try (CuratorFramework stranger = ZkTesting.client(server)) {
                provider.register(instance(SERVICE, 7001));
                Pushes pushes = new Pushes();
                consumer.subscribe(SERVICE, pushes);
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> pushes.addresses().equals(List.of("127.0.0.1:7001")));
                try (CuratorFramework admin = authenticated(server.getConnectString(), auth)) {
                    assertThat(new HashSet<>(admin.getACL().forPath(PROVIDERS + "/127.0.0.1:7001")))
                            .isEqualTo(new HashSet<>(RegistryAcl.ensemble(auth).acl()));
                }
                assertThatThrownBy(() -> stranger.getData().forPath(PROVIDERS + "/127.0.0.1:7001"))
                        .isInstanceOf(KeeperException.NoAuthException.class);
                assertThatThrownBy(() -> stranger.create().forPath(PROVIDERS + "/127.0.0.1:6666"))
                        .isInstanceOf(KeeperException.NoAuthException.class);
                assertThatThrownBy(() -> wrong.register(instance(SERVICE, 7002)))
                        .hasMessageContaining("not authorized")
                        .hasMessageContaining("registry.zookeeper.auth");
            } finally {
                wrong.stop();
                consumer.stop();
                provider.stop();
            }
        }
    }
}
