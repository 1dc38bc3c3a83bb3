package io.microrpc.plugin.registry.zookeeper;

import static io.microrpc.plugin.registry.zookeeper.ZkTesting.client;
import static io.microrpc.plugin.registry.zookeeper.ZkTesting.context;
import static io.microrpc.plugin.registry.zookeeper.ZkTesting.instance;
import static io.microrpc.plugin.registry.zookeeper.ZkTesting.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.microrpc.spi.Registry;
import io.microrpc.spi.ServiceInstance;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The consumer side against a real ZooKeeper: following providers, bad nodes, outages, snapshots. */
class SubscriptionTest {

    private static final String SERVICE = "io.example.EchoService";
    private static final String PROVIDERS = "/microrpc/" + SERVICE + "/providers";

    @TempDir
    Path dir;

    private TestingServer server;
    private CuratorFramework admin;
    private final List<ZookeeperRegistry> registries = new ArrayList<>();

    @BeforeEach
    void startServer() throws Exception {
        server = ZkTesting.server();
        admin = client(server);
    }

    @AfterEach
    void stopAll() throws Exception {
        registries.forEach(ZookeeperRegistry::stop);
        admin.close();
        server.close();
    }

    private ZookeeperRegistry registry(String name) throws Exception {
        return registry(context(dir.resolve(name), server));
    }

    private ZookeeperRegistry registry(TestContext context) throws Exception {
        ZookeeperRegistry r = start(context);
        registries.add(r);
        return r;
    }

    private static void awaitAddresses(Pushes pushes, String... addresses) {
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(pushes.addresses()).containsExactly(addresses));
    }

    @Test
    void consumerGetsTheFullListOnSubscribeAndFollowsProvidersJoiningAndLeaving() throws Exception {
        ZookeeperRegistry p1 = registry("p1");
        p1.register(instance(SERVICE, 7001));
        Pushes pushes = new Pushes();
        registry("c").subscribe(SERVICE, pushes);
        awaitAddresses(pushes, "127.0.0.1:7001");
        assertThat(pushes.latest()).singleElement().isEqualTo(instance(SERVICE, 7001));

        ZookeeperRegistry p2 = registry("p2");
        p2.register(instance(SERVICE, 7002));
        awaitAddresses(pushes, "127.0.0.1:7001", "127.0.0.1:7002");

        // A provider whose session ends (a stopped or killed process) leaves within the session timeout.
        p1.stop();
        long t0 = System.nanoTime();
        await().atMost(ZkTesting.SESSION)
                .untilAsserted(() -> assertThat(pushes.addresses()).containsExactly("127.0.0.1:7002"));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(ZkTesting.SESSION);
    }

    @Test
    void aServiceNobodyProvidesGetsAnEmptyListAndThenItsFirstProvider() throws Exception {
        Pushes pushes = new Pushes();
        registry("c").subscribe(SERVICE, pushes);
        await().atMost(Duration.ofSeconds(5)).until(() -> pushes.count() == 1);
        assertThat(pushes.latest()).isEmpty();

        registry("p").register(instance(SERVICE, 7001));
        awaitAddresses(pushes, "127.0.0.1:7001");
    }

    @Test
    void weightChangedInTheNodeReachesConsumers() throws Exception {
        registry("p").register(instance(SERVICE, 7001));
        Pushes pushes = new Pushes();
        registry("c").subscribe(SERVICE, pushes);
        awaitAddresses(pushes, "127.0.0.1:7001");

        // What an operator does with zkCli: set <node> with the weight line changed.
        String path = PROVIDERS + "/127.0.0.1:7001";
        String data =
                new String(admin.getData().forPath(path), StandardCharsets.UTF_8).replace("weight=50", "weight=5");
        admin.setData().forPath(path, data.getBytes(StandardCharsets.UTF_8));

        await().atMost(Duration.ofSeconds(5)).until(() -> pushes.latest().get(0).weight() == 5);
    }

    @Test
    void malformedNodesAreSkippedAndNamedInTheLog() throws Exception {
        String log = ZkTesting.logOf(() -> {
            admin.create()
                    .creatingParentsIfNeeded()
                    .forPath(PROVIDERS + "/10.0.0.9:7000", "weight=heavy\n".getBytes(StandardCharsets.UTF_8));
            admin.create().forPath(PROVIDERS + "/not-an-address", "weight=1\n".getBytes(StandardCharsets.UTF_8));
            admin.create().forPath(PROVIDERS + "/10.0.0.9:7001", new byte[] {(byte) 0xff, (byte) 0xfe, 0});
            admin.create().forPath(PROVIDERS + "/10.0.0.9:7002", new byte[0]);
            registry("p").register(instance(SERVICE, 7001));
            Pushes pushes = new Pushes();
            registry("c").subscribe(SERVICE, pushes);
            awaitAddresses(pushes, "127.0.0.1:7001");

            // Garbage arriving later does not break the subscription either.
            admin.create()
                    .forPath(
                            PROVIDERS + "/10.0.0.9:7003",
                            "garbage without an equals sign".getBytes(StandardCharsets.UTF_8));
            registry("p2").register(instance(SERVICE, 7002));
            awaitAddresses(pushes, "127.0.0.1:7001", "127.0.0.1:7002");
        });

        assertThat(log)
                .contains("Skipping provider node " + PROVIDERS + "/10.0.0.9:7000 of " + SERVICE
                        + ": weight: 'heavy' (expected: an integer)")
                .contains("Skipping provider node " + PROVIDERS + "/not-an-address")
                .contains("Skipping provider node " + PROVIDERS + "/10.0.0.9:7001 of " + SERVICE
                        + ": data is not UTF-8 text")
                .contains("Skipping provider node " + PROVIDERS + "/10.0.0.9:7002 of " + SERVICE + ": no data")
                .contains("Skipping provider node " + PROVIDERS + "/10.0.0.9:7003 of " + SERVICE
                        + ": line 1 is not key=value");
        assertThat(log.split("Skipping provider node " + PROVIDERS + "/10.0.0.9:7000", -1))
                .as("logged once per node version, not on every change")
                .hasSize(2);
    }

    @Test
    void theLastProviderLeavingIsNotPushedWithProtectionOn() throws Exception {
        ZookeeperRegistry p = registry("p");
        p.register(instance(SERVICE, 7001));
        Pushes pushes = new Pushes();
        registry("c").subscribe(SERVICE, pushes);
        awaitAddresses(pushes, "127.0.0.1:7001");

        String log = ZkTesting.logOf(() -> {
            p.unregister(instance(SERVICE, 7001));
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> admin.getChildren().forPath(PROVIDERS).isEmpty());
            // A later provider is pushed: the protection holds back only the empty list.
            registry("p2").register(instance(SERVICE, 7002));
            awaitAddresses(pushes, "127.0.0.1:7002");
        });
        assertThat(pushes.wipedAfterKnowingProviders()).isFalse();
        assertThat(log).contains("Empty-push protection: ZooKeeper reports no providers of " + SERVICE);
    }

    @Test
    void theLastProviderLeavingIsPushedWithProtectionOff() throws Exception {
        ZookeeperRegistry p = registry("p");
        p.register(instance(SERVICE, 7001));
        Pushes pushes = new Pushes();
        registry(context(dir.resolve("c"), server).with("empty-protection", "false"))
                .subscribe(SERVICE, pushes);
        awaitAddresses(pushes, "127.0.0.1:7001");

        p.unregister(instance(SERVICE, 7001));
        await().atMost(Duration.ofSeconds(5)).until(() -> pushes.latest().isEmpty());
    }

    @Test
    void closedSubscriptionGetsNoMorePushes() throws Exception {
        Pushes pushes = new Pushes();
        Registry.Subscription s = registry("c").subscribe(SERVICE, pushes);
        registry("p").register(instance(SERVICE, 7001));
        awaitAddresses(pushes, "127.0.0.1:7001");
        s.close();
        s.close();
        int count = pushes.count();

        ZookeeperRegistry p2 = registry("p2");
        p2.register(instance(SERVICE, 7002));
        Pushes other = new Pushes();
        registry("c2").subscribe(SERVICE, other);
        awaitAddresses(other, "127.0.0.1:7001", "127.0.0.1:7002");
        assertThat(pushes.count()).isEqualTo(count);
    }

    @Test
    void zooKeeperDownForLongerThanTheSessionKeepsConsumersAndRegistersEverythingAgain() throws Exception {
        ZookeeperRegistry p1 = registry("p1");
        ZookeeperRegistry p2 = registry("p2");
        p1.register(instance(SERVICE, 7001));
        p2.register(instance(SERVICE, 7002));
        Pushes pushes = new Pushes();
        ZookeeperRegistry consumer = registry("c");
        consumer.subscribe(SERVICE, pushes);
        awaitAddresses(pushes, "127.0.0.1:7001", "127.0.0.1:7002");

        server.stop();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !consumer.client().getZookeeperClient().isConnected());
        // Past the session timeout: Curator gives the sessions up (LOST) and will start new ones.
        await().pollDelay(ZkTesting.SESSION.plusMillis(500))
                .atMost(ZkTesting.SESSION.plusSeconds(5))
                .until(() -> !consumer.client().getZookeeperClient().isConnected());
        assertThat(pushes.addresses()).containsExactly("127.0.0.1:7001", "127.0.0.1:7002");

        server.restart();
        await().atMost(Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(() -> {
            assertThat(admin.getChildren().forPath(PROVIDERS))
                    .containsExactlyInAnyOrder("127.0.0.1:7001", "127.0.0.1:7002");
            for (ZookeeperRegistry r : List.of(p1, p2)) {
                long session = r.client().getZookeeperClient().getZooKeeper().getSessionId();
                assertThat(admin.getChildren().forPath(PROVIDERS).stream().map(n -> owner(PROVIDERS + "/" + n)))
                        .contains(session);
            }
        });
        // The providers registered again one after the other, and the consumer's watch follows them a
        // moment later: wait for its push rather than assume it already came (it lags under load).
        awaitAddresses(pushes, "127.0.0.1:7001", "127.0.0.1:7002");
        assertThat(pushes.wipedAfterKnowingProviders())
                .as("no empty list was pushed: %s", pushes.all())
                .isFalse();

        // And the subscription is live again.
        registry("p3").register(instance(SERVICE, 7003));
        awaitAddresses(pushes, "127.0.0.1:7001", "127.0.0.1:7002", "127.0.0.1:7003");
    }

    private long owner(String path) {
        try {
            return admin.checkExists().forPath(path).getEphemeralOwner();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void consumerStartingWhileZooKeeperIsDownUsesItsSnapshotAndSaysSo() throws Exception {
        registry("p1").register(instance(SERVICE, 7001));
        registry("p2").register(instance(SERVICE, 7002));
        TestContext consumerContext = context(dir.resolve("c"), server);
        ZookeeperRegistry first = registry(consumerContext);
        Pushes before = new Pushes();
        first.subscribe(SERVICE, before);
        awaitAddresses(before, "127.0.0.1:7001", "127.0.0.1:7002");
        Path snapshot = new SnapshotStore(dir.resolve("c").resolve("snapshots"), null).file(SERVICE);
        await().atMost(Duration.ofSeconds(5))
                .until(() ->
                        Files.exists(snapshot) && Files.readString(snapshot).contains("[127.0.0.1:7002]"));
        first.stop();
        registries.remove(first);

        server.stop();
        Pushes after = new Pushes();
        String log = ZkTesting.logOf(() -> {
            long t0 = System.nanoTime();
            ZookeeperRegistry restarted = registry(consumerContext);
            assertThat(Duration.ofNanos(System.nanoTime() - t0))
                    .as("start waits at most the connection timeout")
                    .isLessThan(Duration.ofSeconds(5));
            restarted.subscribe(SERVICE, after);
            awaitAddresses(after, "127.0.0.1:7001", "127.0.0.1:7002");
        });
        assertThat(after.latest()).containsExactlyElementsOf(before.latest());
        assertThat(log).contains("is unreachable; using the snapshot of 2 providers of " + SERVICE);

        server.restart();
        registry("p3").register(instance(SERVICE, 7003));
        awaitAddresses(after, "127.0.0.1:7001", "127.0.0.1:7002", "127.0.0.1:7003");
        assertThat(after.wipedAfterKnowingProviders()).isFalse();
    }

    @Test
    void snapshotRoundTripsEveryField() throws Exception {
        SnapshotStore store = new SnapshotStore(dir, Clock.systemUTC());
        ServiceInstance odd = ServiceInstance.builder(SERVICE, "fe80::1", 7002)
                .metadata("note", "a=b\nc\\d")
                .build();
        store.write(SERVICE, List.of(instance(SERVICE, 7001), odd));

        assertThat(store.read(SERVICE))
                .hasValueSatisfying(s -> assertThat(s.providers()).containsExactly(instance(SERVICE, 7001), odd));
        assertThat(store.read("io.example.Other")).isEmpty();
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .as("no temporary file left")
                    .containsExactly(store.file(SERVICE).getFileName().toString());
        }
    }

    @Test
    void aNodeLeftByAProcessThatIsGoneIsRemovedWithinTheSessionTimeout() throws Exception {
        // A provider that dies without closing its session: here a raw ZooKeeper handle whose session
        // the server times out because the handle is closed without telling it (its socket just drops).
        Pushes pushes = new Pushes();
        registry("p1").register(instance(SERVICE, 7001));
        CuratorFramework ghost = CuratorFrameworkFactory.newClient(
                server.getConnectString(), (int) ZkTesting.SESSION.toMillis(), 1000, new RetryOneTime(100));
        ghost.start();
        ghost.blockUntilConnected();
        ghost.create()
                .withMode(CreateMode.EPHEMERAL)
                .forPath(
                        PROVIDERS + "/127.0.0.1:7009",
                        new String(NodeData.encode(instance(SERVICE, 7009)), StandardCharsets.UTF_8)
                                .getBytes(StandardCharsets.UTF_8));
        registry("c").subscribe(SERVICE, pushes);
        awaitAddresses(pushes, "127.0.0.1:7001", "127.0.0.1:7009");

        // Stop the handle's IO without a closeSession request, as kill -9 would.
        ghost.getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
        long t0 = System.nanoTime();
        awaitAddresses(pushes, "127.0.0.1:7001");
        ghost.close();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(ZkTesting.SESSION.plusSeconds(1));
    }
}
