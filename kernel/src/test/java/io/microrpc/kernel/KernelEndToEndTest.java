package io.microrpc.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.testing.EchoApi;
import io.microrpc.kernel.testing.EchoImpl;
import io.microrpc.kernel.testing.JavaTestSerializer;
import io.microrpc.spi.RpcException;
import io.microrpc.spi.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelEndToEndTest {

    @TempDir
    Path dir;

    private MicroRpc server;
    private MicroRpc client;
    private EchoImpl impl;
    private EchoApi echo;

    @BeforeEach
    void setUp() {
        KernelSettings settings = KernelSettings.builder()
                .serverPort(0)
                .callSerializer("java-test")
                .pluginsDir(dir.resolve("plugins"))
                .dataDir(dir.resolve("data"))
                .build();
        server = MicroRpc.builder()
                .settings(settings)
                .extension(new JavaTestSerializer())
                .start();
        impl = new EchoImpl();
        server.export(EchoApi.class, impl);
        client = MicroRpc.builder()
                .settings(settings)
                .extension(new JavaTestSerializer())
                .start();
        echo = client.reference(
                EchoApi.class,
                ReferenceOptions.builder()
                        .address("127.0.0.1:" + server.port())
                        .timeout(Duration.ofSeconds(5))
                        .build());
    }

    @AfterEach
    void tearDown() {
        client.close();
        server.close();
    }

    @Test
    void syncAsyncAndOneWayCallsWork() throws Exception {
        assertThat(echo.echo("hello")).isEqualTo("hello");
        assertThat(echo.add(2, 3)).isEqualTo(5);
        assertThat(echo.echoAsync("x").get()).isEqualTo("async:x");
        echo.fire("one-way");
        await().atMost(Duration.ofSeconds(5)).until(() -> impl.fired.contains("one-way"));
    }

    @Test
    void implementationExceptionReachesCallerWithRemoteTypeAndMessage() {
        assertThatThrownBy(() -> echo.fail("boom")).isInstanceOfSatisfying(RpcException.class, e -> {
            assertThat(e.code()).isEqualTo(Status.Code.APPLICATION_ERROR);
            assertThat(e.remoteType()).isEqualTo(IllegalStateException.class.getName());
            assertThat(e.getMessage()).contains("boom");
        });
        assertThat(echo.echo("still serving")).isEqualTo("still serving");
    }

    @Test
    void timeoutFailsWithDeadlineExceededAndLeavesNoPendingEntry() {
        EchoApi shortTimeout = client.reference(
                EchoApi.class,
                ReferenceOptions.builder()
                        .address("127.0.0.1:" + server.port())
                        .timeout(Duration.ofMillis(200))
                        .build());
        impl.gate = new CountDownLatch(1);
        try {
            assertThatThrownBy(() -> shortTimeout.slow(10_000))
                    .isInstanceOfSatisfying(
                            RpcException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
            assertThat(client.pendingCalls()).isZero();
        } finally {
            impl.gate.countDown();
        }
        assertThat(echo.echo("after timeout")).isEqualTo("after timeout");
    }
}
