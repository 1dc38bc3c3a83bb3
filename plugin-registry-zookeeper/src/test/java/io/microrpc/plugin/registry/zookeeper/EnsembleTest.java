package io.microrpc.plugin.registry.zookeeper;

import static io.microrpc.plugin.registry.zookeeper.ZkTesting.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A three-node ensemble that loses a node keeps serving registrations and subscriptions. */
class EnsembleTest {

    private static final String SERVICE = "io.example.EchoService";

    @TempDir
    Path dir;

    private TestContext context(String name, TestingCluster cluster) {
        return TestContext.of(dir.resolve(name))
                .with("address", cluster.getConnectString())
                .with("session-timeout", "5s")
                .with("connection-timeout", "5s")
                .with("retry-base", "100ms");
    }

    @Test
    void losingTheNodeAConsumerIsConnectedToChangesNothingForIt() throws Exception {
        List<InstanceSpec> specs = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            specs.add(new InstanceSpec(null, -1, -1, -1, true, id, 500, -1));
        }
        List<ZookeeperRegistry> registries = new ArrayList<>();
        try (TestingCluster cluster = new TestingCluster(specs)) {
            cluster.start();
            ZookeeperRegistry provider = ZkTesting.start(context("p", cluster));
            registries.add(provider);
            provider.register(instance(SERVICE, 7001));
            ZookeeperRegistry consumer = ZkTesting.start(context("c", cluster));
            registries.add(consumer);
            Pushes pushes = new Pushes();
            consumer.subscribe(SERVICE, pushes);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> pushes.addresses().equals(List.of("127.0.0.1:7001")));

            InstanceSpec connectedTo = cluster.findConnectionInstance(
                    consumer.client().getZookeeperClient().getZooKeeper());
            assertThat(cluster.killServer(connectedTo)).isTrue();

            ZookeeperRegistry late = ZkTesting.start(context("late", cluster));
            registries.add(late);
            late.register(instance(SERVICE, 7002));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> pushes.addresses().equals(List.of("127.0.0.1:7001", "127.0.0.1:7002")));
            assertThat(pushes.wipedAfterKnowingProviders()).isFalse();
        } finally {
            registries.forEach(ZookeeperRegistry::stop);
        }
    }
}
