package io.microrpc.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.testing.EchoApi;
import io.microrpc.kernel.testing.EchoImpl;
import io.microrpc.kernel.testing.JavaTestSerializer;
import io.microrpc.kernel.testing.NettyLeakCheck;
import io.microrpc.spi.RpcException;
import io.microrpc.spi.Status;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A reference outlives its server: calls fail fast while the server is down and work again once it is back. */
@ExtendWith(NettyLeakCheck.class)
class ReconnectTest {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private MicroRpc server;
    private MicroRpc client;

    @AfterEach
    void tearDown() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private MicroRpc startServer(int port, String name) {
        KernelSettings s = KernelSettings.builder()
                .serverHost("127.0.0.1")
                .serverPort(port)
                .callSerializer("java-test")
                .pluginsDir(dir.resolve("none"))
                .dataDir(dir.resolve(name))
                .serverShutdownTimeout(Duration.ofSeconds(1))
                .build();
        MicroRpc rpc = MicroRpc.builder()
                .settings(s)
                .extension(new JavaTestSerializer())
                .start();
        rpc.export(EchoApi.class, new EchoImpl());
        return rpc;
    }

    @Test
    void callsFailWithUnavailableWhileTheServerIsDownAndSucceedOnceItIsBack() {
        server = startServer(0, "server-1");
        int port = server.port();
        client = MicroRpc.builder()
                .settings(KernelSettings.builder()
                        .callSerializer("java-test")
                        .pluginsDir(dir.resolve("none"))
                        .dataDir(dir.resolve("client"))
                        .reconnectInitialBackoff(Duration.ofMillis(50))
                        .reconnectMaxBackoff(Duration.ofMillis(200))
                        .build())
                .extension(new JavaTestSerializer())
                .start();
        EchoApi echo = client.reference(
                EchoApi.class,
                ReferenceOptions.builder()
                        .address("127.0.0.1:" + port)
                        .timeout(CALL_TIMEOUT)
                        .build());
        assertThat(echo.echo("before")).isEqualTo("before");

        server.close();
        server = null;

        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            Throwable t = catchThrowable(() -> echo.echo("while down"));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(t)
                    .as("call %s while the server is down", i)
                    .isInstanceOfSatisfying(
                            RpcException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE));
            assertThat(took)
                    .as("call %s fails at once, not after the %s call timeout", i, CALL_TIMEOUT)
                    .isLessThan(Duration.ofSeconds(2));
        }

        server = startServer(port, "server-2");

        await().atMost(Duration.ofSeconds(10))
                .ignoreExceptionsMatching(e -> isUnavailable(e))
                .until(() -> echo.echo("after").equals("after"));
        assertThat(echo.add(20, 22)).isEqualTo(42);
        assertThat(client.pendingCalls()).isZero();
    }

    private static boolean isUnavailable(Throwable t) {
        RpcException e = RpcException.find(t);
        return e != null && e.code() == Status.Code.UNAVAILABLE;
    }
}
