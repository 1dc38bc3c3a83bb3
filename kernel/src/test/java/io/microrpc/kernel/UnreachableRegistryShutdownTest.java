package io.microrpc.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.testing.EchoApi;
import io.microrpc.kernel.testing.EchoImpl;
import io.microrpc.kernel.testing.JavaTestSerializer;
import io.microrpc.kernel.testing.NoticeApi;
import io.microrpc.spi.Registry;
import io.microrpc.spi.ServiceInstance;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A graceful shutdown with the registry unreachable: unregistering is bounded, so a stop fits a
 * supervisor's grace period, and each failure is one log line, not a stack trace.
 */
class UnreachableRegistryShutdownTest {

    @TempDir
    Path dir;

    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void releaseBlockedUnregister() {
        release.countDown();
    }

    private MicroRpc start(Registry registry) {
        KernelSettings settings = KernelSettings.builder()
                .serverPort(0)
                .serverHost("127.0.0.1")
                .callSerializer("java-test")
                .pluginsDir(dir.resolve("none"))
                .dataDir(dir.resolve("data"))
                .build();
        MicroRpc rpc = MicroRpc.builder()
                .settings(settings)
                .extension(new JavaTestSerializer())
                .extension(registry)
                .start();
        rpc.export(EchoApi.class, new EchoImpl());
        rpc.export(NoticeApi.class, new NoticeApi.Impl());
        return rpc;
    }

    @Test
    void aRegistryWhoseUnregisterBlocksDoesNotHoldTheCloseBeyondTheBound() throws Exception {
        TestRegistry registry = new TestRegistry() {
            @Override
            public void unregister(ServiceInstance instance) throws InterruptedException {
                unregisters.incrementAndGet();
                release.await(); // an unreachable registry retrying
            }
        };
        MicroRpc rpc = start(registry);
        int port = rpc.port();

        long start = System.nanoTime();
        String log = logOf(rpc::close);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(took)
                .isGreaterThanOrEqualTo(MicroRpc.UNREGISTER_TIMEOUT.minusMillis(50))
                .isLessThan(MicroRpc.UNREGISTER_TIMEOUT.plusSeconds(3));
        assertThat(registry.unregisters)
                .as("the second service is not tried once the bound is spent")
                .hasValue(1);
        assertThat(log)
                .contains("Registry 'test' did not unregister [" + EchoApi.class.getName() + ", "
                        + NoticeApi.class.getName() + "] within 3000 ms (unreachable?); shutting down without waiting");
        assertThat(log)
                .as("no stack trace, not even of the interrupted call")
                .doesNotContain("\tat ")
                .doesNotContain("InterruptedException");
        Assertions.assertThatThrownBy(() -> new Socket("127.0.0.1", port).close())
                .isInstanceOf(ConnectException.class);
    }

    @Test
    void aRegistryWhoseUnregisterFailsIsLoggedInOneLinePerService() throws Exception {
        TestRegistry registry = new TestRegistry() {
            @Override
            public void unregister(ServiceInstance instance) throws IOException {
                unregisters.incrementAndGet();
                throw new IOException("connection loss for " + instance.service());
            }
        };
        MicroRpc rpc = start(registry);

        long start = System.nanoTime();
        String log = logOf(rpc::close);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(MicroRpc.UNREGISTER_TIMEOUT);
        assertThat(registry.unregisters).hasValue(2);
        assertThat(log)
                .containsPattern(
                        "Registry 'test' failed to unregister io\\.microrpc\\.kernel\\.testing\\.EchoApi@\\S+: "
                                + "java\\.io\\.IOException: connection loss for io\\.microrpc\\.kernel\\.testing\\.EchoApi\\n");
        assertThat(log)
                .contains("java.io.IOException: connection loss for " + NoticeApi.class.getName())
                .doesNotContain("\tat ")
                .doesNotContain("did not unregister");
    }

    /** Captures what slf4j-simple writes (to System.err) while {@code body} runs. */
    private static String logOf(Runnable body) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        original.print(log);
        return log;
    }

    /** Registers nothing anywhere; subclasses decide how unregistering goes wrong. */
    private abstract static class TestRegistry implements Registry {

        final AtomicInteger unregisters = new AtomicInteger();

        @Override
        public String name() {
            return "test";
        }

        @Override
        public void register(ServiceInstance instance) {}

        @Override
        public Subscription subscribe(String service, Listener listener) {
            return () -> {};
        }
    }
}
