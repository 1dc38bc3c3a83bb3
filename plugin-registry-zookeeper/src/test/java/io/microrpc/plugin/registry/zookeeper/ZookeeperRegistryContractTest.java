package io.microrpc.plugin.registry.zookeeper;

import io.microrpc.spi.PluginContext;
import io.microrpc.spi.Registry;
import io.microrpc.testkit.RegistryContractTest;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The kit's registry contract, against one in-process ZooKeeper server for the whole class. */
class ZookeeperRegistryContractTest extends RegistryContractTest {

    private static TestingServer server;

    @TempDir
    static Path dir;

    private static final AtomicInteger INSTANCES = new AtomicInteger();

    @BeforeAll
    static void startServer() throws Exception {
        server = ZkTesting.server();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @Override
    protected Registry newRegistry() {
        return new ZookeeperRegistry();
    }

    /** Empty-push protection on, as by default: the suite never needs an empty list pushed. */
    @Override
    protected PluginContext newContext() {
        return ZkTesting.context(dir.resolve("registry-" + INSTANCES.incrementAndGet()), server);
    }
}
