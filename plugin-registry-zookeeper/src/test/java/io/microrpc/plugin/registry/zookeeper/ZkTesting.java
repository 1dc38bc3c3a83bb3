package io.microrpc.plugin.registry.zookeeper;

import io.microrpc.spi.ServiceInstance;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

/** Servers, clients and registries for the tests, with short timeouts. */
final class ZkTesting {

    /** The session timeout registries use in tests. */
    static final Duration SESSION = Duration.ofSeconds(4);

    private ZkTesting() {}

    /** A started in-process server with a 200ms tick, so short session timeouts (up to 4s) are honoured. */
    static TestingServer server() throws Exception {
        return new TestingServer(new InstanceSpec(null, -1, -1, -1, true, -1, 200, -1), true);
    }

    static TestContext context(Path dir, TestingServer server) {
        return TestContext.of(dir)
                .with("address", server.getConnectString())
                .with("session-timeout", SESSION.toMillis() + "ms")
                .with("connection-timeout", "1s")
                .with("retry-base", "100ms")
                .with("retry-max", "2");
    }

    static ZookeeperRegistry start(TestContext context) throws Exception {
        ZookeeperRegistry r = new ZookeeperRegistry();
        r.start(context);
        return r;
    }

    /** A plain client, as an operator's tool or another process would use. */
    static CuratorFramework client(TestingServer server) throws InterruptedException {
        return client(server.getConnectString());
    }

    static CuratorFramework client(String connect) throws InterruptedException {
        CuratorFramework c = CuratorFrameworkFactory.builder()
                .connectString(connect)
                .sessionTimeoutMs(5_000)
                .connectionTimeoutMs(2_000)
                .retryPolicy(new RetryOneTime(100))
                .runSafeService(Runnable::run)
                .build();
        c.start();
        c.blockUntilConnected();
        return c;
    }

    static ServiceInstance instance(String service, int port) {
        return ServiceInstance.builder(service, "127.0.0.1", port)
                .weight(50)
                .version("1.0")
                .group("blue")
                .serializers(List.of("protostuff", "java-test"))
                .startTimestampMillis(1_700_000_000_000L)
                .metadata("zone", "eu-1")
                .build();
    }

    /** Captures what slf4j-simple writes (to System.err) while {@code body} runs. */
    static String logOf(ThrowingRunnable body) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream tee = new PrintStream(captured, true, StandardCharsets.UTF_8) {
            @Override
            public void write(byte[] buf, int off, int len) {
                super.write(buf, off, len);
                original.write(buf, off, len);
            }
        };
        System.setErr(tee);
        try {
            body.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }
}
