package io.microrpc.plugin.registry.zookeeper;

import static io.microrpc.plugin.registry.zookeeper.ZkTesting.client;
import static io.microrpc.plugin.registry.zookeeper.ZkTesting.context;
import static io.microrpc.plugin.registry.zookeeper.ZkTesting.instance;
import static io.microrpc.plugin.registry.zookeeper.ZkTesting.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.microrpc.spi.ServiceInstance;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provider side against a real ZooKeeper: layout, node format, take-over, session expiry, ACLs. */
class RegistrationTest {

    private static final String SERVICE = "io.example.EchoService";
    private static final String PATH = "/microrpc/" + SERVICE + "/providers/127.0.0.1:7001";

    @TempDir
    Path dir;

    private TestingServer server;
    private CuratorFramework admin;
    private ZookeeperRegistry registry;

    @BeforeEach
    void startServer() throws Exception {
        server = ZkTesting.server();
        admin = client(server);
    }

    @AfterEach
    void stopAll() throws Exception {
        if (registry != null) {
            registry.stop();
        }
        admin.close();
        server.close();
    }

    @Test
    void registersAnEphemeralNodeUnderPersistentParentsWithReadableData() throws Exception {
        registry = start(context(dir, server));
        registry.register(instance(SERVICE, 7001));

        Stat node = admin.checkExists().forPath(PATH);
        assertThat(node).isNotNull();
        assertThat(node.getEphemeralOwner()).as("ephemeral").isNotZero();
        for (String parent : List.of("/microrpc", "/microrpc/" + SERVICE, "/microrpc/" + SERVICE + "/providers")) {
            assertThat(admin.checkExists().forPath(parent).getEphemeralOwner())
                    .as(parent + " is persistent")
                    .isZero();
        }
        assertThat(new String(admin.getData().forPath(PATH), StandardCharsets.UTF_8))
                .isEqualTo("""
                weight=50
                version=1.0
                group=blue
                serializers=protostuff,java-test
                protocol=1
                start-timestamp=1700000000000
                metadata.zone=eu-1
                """);
    }

    @Test
    void unregisterDeletesTheNodeAndStopEndsTheSession() throws Exception {
        registry = start(context(dir, server));
        ServiceInstance a = instance(SERVICE, 7001);
        ServiceInstance b = instance(SERVICE, 7002);
        registry.register(a);
        registry.register(b);
        registry.unregister(a);
        assertThat(admin.getChildren().forPath("/microrpc/" + SERVICE + "/providers"))
                .containsExactly("127.0.0.1:7002");

        registry.stop();
        registry = null;
        assertThat(admin.getChildren().forPath("/microrpc/" + SERVICE + "/providers"))
                .as("the session closed")
                .isEmpty();
    }

    @Test
    void registeringAgainWithOtherDataUpdatesTheNode() throws Exception {
        registry = start(context(dir, server));
        registry.register(instance(SERVICE, 7001));
        long owner = admin.checkExists().forPath(PATH).getEphemeralOwner();
        registry.register(instance(SERVICE, 7001).toBuilder().weight(7).build());

        assertThat(new String(admin.getData().forPath(PATH), StandardCharsets.UTF_8))
                .startsWith("weight=7\n");
        assertThat(admin.checkExists().forPath(PATH).getEphemeralOwner()).isEqualTo(owner);
    }

    @Test
    void takesOverANodeThatAnotherSessionStillHolds() throws Exception {
        // As when this plugin replaces an older version of itself, or restarts before its old session expired.
        CuratorFramework old = client(server);
        old.create()
                .creatingParentsIfNeeded()
                .withMode(CreateMode.EPHEMERAL)
                .forPath(PATH, "weight=1\n".getBytes(StandardCharsets.UTF_8));

        registry = start(context(dir, server));
        registry.register(instance(SERVICE, 7001));
        long mine = registry.client().getZookeeperClient().getZooKeeper().getSessionId();
        assertThat(admin.checkExists().forPath(PATH).getEphemeralOwner()).isEqualTo(mine);

        old.close();
        assertThat(admin.checkExists().forPath(PATH))
                .as("the old session ending leaves the node")
                .isNotNull();
        assertThat(new String(admin.getData().forPath(PATH), StandardCharsets.UTF_8))
                .startsWith("weight=50\n");
    }

    @Test
    void aRetiredVersionDoesNotTakeItsNodesBackAfterANewSession() throws Exception {
        // A hot swap: the new version takes the node over, the old one is retired and drains; if the old
        // one's session expires meanwhile, its reconnection must not take the node back.
        ZookeeperRegistry old = start(context(dir.resolve("old"), server));
        try {
            old.register(instance(SERVICE, 7001));
            registry = start(context(dir, server));
            registry.register(instance(SERVICE, 7001));
            long successor =
                    registry.client().getZookeeperClient().getZooKeeper().getSessionId();
            old.retire();

            long oldSession = old.client().getZookeeperClient().getZooKeeper().getSessionId();
            old.client().getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> old.client().getZookeeperClient().isConnected()
                            && old.client().getZookeeperClient().getZooKeeper().getSessionId() != oldSession);
            await().during(Duration.ofSeconds(2))
                    .atMost(Duration.ofSeconds(5))
                    .untilAsserted(
                            () -> assertThat(admin.checkExists().forPath(PATH).getEphemeralOwner())
                                    .isEqualTo(successor));
        } finally {
            old.stop();
        }
        assertThat(admin.checkExists().forPath(PATH))
                .as("stopping the retired one leaves the node")
                .isNotNull();
    }

    @Test
    void reRegistersAfterSessionExpiry() throws Exception {
        registry = start(context(dir, server));
        registry.register(instance(SERVICE, 7001));
        long first = registry.client().getZookeeperClient().getZooKeeper().getSessionId();
        // Tells when the server has ended the old session: it goes with it.
        registry.client().create().withMode(CreateMode.EPHEMERAL).forPath("/sentinel");

        // The client sees its session expire; the server still holds it (and the node) for a while.
        registry.client().getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Stat stat = admin.checkExists().forPath(PATH);
            assertThat(stat).isNotNull();
            assertThat(stat.getEphemeralOwner())
                    .isNotEqualTo(first)
                    .isEqualTo(registry.client()
                            .getZookeeperClient()
                            .getZooKeeper()
                            .getSessionId());
        });
        // The server ends the expired session later; the node, now the new session's, must stay.
        await().atMost(Duration.ofSeconds(10)).until(() -> admin.checkExists().forPath("/sentinel") == null);
        assertThat(admin.checkExists().forPath(PATH)).isNotNull();
    }

    @Test
    void registrationsMadeWhileZooKeeperIsDownAreWrittenWhenItIsBack() throws Exception {
        registry = start(context(dir, server));
        server.stop();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> !registry.client().getZookeeperClient().isConnected());
        registry.register(instance(SERVICE, 7001));
        server.restart();

        await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .untilAsserted(
                        () -> assertThat(admin.checkExists().forPath(PATH)).isNotNull());
    }

    @Test
    void stopWhileZooKeeperIsDownReturnsPromptly() throws Exception {
        registry = start(context(dir, server));
        registry.register(instance(SERVICE, 7001));
        server.stop();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> !registry.client().getZookeeperClient().isConnected());

        long t0 = System.nanoTime();
        registry.stop();
        registry = null;
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void chrootFromTheAddressIsUsedAndCreated() throws Exception {
        registry = start(context(dir, server)
                .with("address", server.getConnectString() + "/apps/rpc")
                .with("root", "/svc"));
        registry.register(instance(SERVICE, 7001));

        assertThat(admin.checkExists().forPath("/apps/rpc/svc/" + SERVICE + "/providers/127.0.0.1:7001"))
                .isNotNull();
        assertThat(admin.checkExists().forPath("/microrpc")).isNull();
    }

    @Test
    void digestAuthRestrictsCreatedNodesToTheSameCredentials() throws Exception {
        registry = start(context(dir, server).with("auth", "rpc:s3cret"));
        registry.register(instance(SERVICE, 7001));

        CuratorFramework authed = CuratorFrameworkFactory.builder()
                .connectString(server.getConnectString())
                .retryPolicy(new RetryOneTime(100))
                .authorization("digest", "rpc:s3cret".getBytes(StandardCharsets.UTF_8))
                .build();
        authed.start();
        List<ACL> acl;
        try {
            acl = authed.getACL().forPath(PATH);
            assertThat(authed.getACL().forPath("/microrpc").get(0).getId().getScheme())
                    .isEqualTo("digest");
        } finally {
            authed.close();
        }
        assertThat(acl).singleElement().satisfies(a -> {
            assertThat(a.getId().getScheme()).isEqualTo("digest");
            assertThat(a.getId().getId()).startsWith("rpc:");
            assertThat(a.getPerms()).isEqualTo(ZooDefs.Perms.ALL);
        });
        assertThatThrownBy(() -> admin.getData().forPath(PATH)).isInstanceOf(KeeperException.NoAuthException.class);

        Pushes pushes = new Pushes();
        ZookeeperRegistry consumer = start(context(dir.resolve("c"), server).with("auth", "rpc:s3cret"));
        try {
            consumer.subscribe(SERVICE, pushes);
            await().atMost(Duration.ofSeconds(5)).until(() -> pushes.addresses().equals(List.of("127.0.0.1:7001")));
        } finally {
            consumer.stop();
        }
    }
}
