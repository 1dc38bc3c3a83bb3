package io.microrpc.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link MicroRpc#close()} on a server with calls in flight: they finish, new calls are refused at
 * once with UNAVAILABLE, and {@code server.shutdown-timeout} bounds the wait for a call that never ends.
 */
@ExtendWith(NettyLeakCheck.class)
class GracefulShutdownTest {

    @TempDir
    Path dir;

    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final CountDownLatch gate = new CountDownLatch(1);
    private final EchoImpl impl = new EchoImpl();
    private MicroRpc server;
    private MicroRpc client;
    private EchoApi echo;

    @AfterEach
    void tearDown() {
        gate.countDown();
        client.close();
        server.close();
        threads.shutdownNow();
    }

    private void start(Duration shutdownTimeout) {
        KernelSettings settings = KernelSettings.builder()
                .serverPort(0)
                .callSerializer("java-test")
                .pluginsDir(dir.resolve("none"))
                .dataDir(dir.resolve("server"))
                .serverShutdownTimeout(shutdownTimeout)
                .reconnectInitialBackoff(Duration.ofMillis(50))
                .reconnectMaxBackoff(Duration.ofMillis(200))
                .build();
        server = MicroRpc.builder()
                .settings(settings)
                .extension(new JavaTestSerializer())
                .start();
        impl.gate = gate;
        server.export(EchoApi.class, impl);
        client = MicroRpc.builder()
                .settings(settings.toBuilder().dataDir(dir.resolve("client")).build())
                .extension(new JavaTestSerializer())
                .start();
        echo = client.reference(
                EchoApi.class,
                ReferenceOptions.builder()
                        .address("127.0.0.1:" + server.port())
                        .timeout(Duration.ofSeconds(10))
                        .build());
    }

    private CompletableFuture<Long> slowCallInFlight() {
        CompletableFuture<Long> call = CompletableFuture.supplyAsync(() -> echo.slow(7), threads);
        await().atMost(Duration.ofSeconds(5)).until(() -> impl.slowStarted.get() == 1);
        return call;
    }

    @Test
    void inFlightCallCompletesWhileCloseRunsAndNewCallsFailWithUnavailable() throws Exception {
        start(Duration.ofSeconds(20));
        CompletableFuture<Long> inFlight = slowCallInFlight();

        CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close, threads);

        // Until the client has read GOAWAY a new call may still be served; after it, new calls are
        // refused at once instead of being sent to a node that is going away.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            long start = System.nanoTime();
            Throwable t = catchThrowable(() -> echo.echo("new call"));
            assertThat(t)
                    .isInstanceOfSatisfying(
                            RpcException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        });
        assertThat(closing).as("close waits for the call in flight").isNotDone();
        assertThat(inFlight).isNotDone();

        gate.countDown();

        assertThat(inFlight.get(5, TimeUnit.SECONDS)).isEqualTo(7L);
        closing.get(5, TimeUnit.SECONDS); // well before the 20 s shutdown-timeout: it returns once drained
        assertThat(client.pendingCalls()).isZero();
    }

    @Test
    void shutdownTimeoutBoundsTheWaitForACallThatNeverFinishes() throws Exception {
        Duration shutdownTimeout = Duration.ofMillis(300);
        start(shutdownTimeout);
        CompletableFuture<Long> stuck = slowCallInFlight();

        long start = System.nanoTime();
        server.close();
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(took).isGreaterThanOrEqualTo(shutdownTimeout).isLessThan(Duration.ofSeconds(5));
        assertThatThrownBy(() -> stuck.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .satisfies(t -> assertThat(RpcException.find(t).code()).isEqualTo(Status.Code.UNAVAILABLE));
        assertThat(client.pendingCalls()).isZero();
    }
}
