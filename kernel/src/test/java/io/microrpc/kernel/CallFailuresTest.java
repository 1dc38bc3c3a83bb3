package io.microrpc.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.internal.protocol.Protocol;
import io.microrpc.kernel.testing.EchoApi;
import io.microrpc.kernel.testing.EchoImpl;
import io.microrpc.kernel.testing.JavaTestSerializer;
import io.microrpc.kernel.testing.NettyLeakCheck;
import io.microrpc.kernel.testing.NoticeApi;
import io.microrpc.kernel.testing.RawClient;
import io.microrpc.kernel.testing.RawFrame;
import io.microrpc.spi.RpcException;
import io.microrpc.spi.Status;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** How calls fail through the proxy API: what the caller sees, how fast, and what the server does. */
@ExtendWith(NettyLeakCheck.class)
class CallFailuresTest {

    @TempDir
    Path dir;

    private final List<MicroRpc> kernels = new ArrayList<>();
    private final List<CountDownLatch> gates = new ArrayList<>();
    /** Added to the server's ticker: lets a test make time pass on the server without waiting for it. */
    private final AtomicLong serverClockOffset = new AtomicLong();

    private final ExecutorService callers = Executors.newCachedThreadPool();

    @AfterEach
    void tearDown() {
        gates.forEach(CountDownLatch::countDown);
        callers.shutdownNow();
        for (int i = kernels.size() - 1; i >= 0; i--) {
            kernels.get(i).close();
        }
    }

    private KernelSettings.Builder settings(String name) {
        return KernelSettings.builder()
                .serverPort(0)
                .callSerializer("java-test")
                .pluginsDir(dir.resolve("none"))
                .dataDir(dir.resolve(name));
    }

    private MicroRpc server(UnaryOperator<KernelSettings.Builder> change) {
        MicroRpc s = MicroRpc.builder()
                .settings(change.apply(settings("server")).build())
                .ticker(() -> System.nanoTime() + serverClockOffset.get())
                .extension(new JavaTestSerializer())
                .start();
        kernels.add(s);
        return s;
    }

    private MicroRpc client(KernelSettings.Builder settings, boolean withSerializer) {
        MicroRpc.Builder b = MicroRpc.builder().settings(settings.build());
        if (withSerializer) {
            b.extension(new JavaTestSerializer());
        }
        MicroRpc c = b.start();
        kernels.add(c);
        return c;
    }

    private static <T> T reference(MicroRpc client, Class<T> type, int port, Duration timeout) {
        return client.reference(
                type,
                ReferenceOptions.builder()
                        .address("127.0.0.1:" + port)
                        .timeout(timeout)
                        .build());
    }

    private CountDownLatch gate(EchoImpl impl) {
        CountDownLatch gate = new CountDownLatch(1);
        gates.add(gate);
        impl.gate = gate;
        return gate;
    }

    @Test
    void callWithoutTheConfiguredSerializerFailsWithFailedPreconditionNamingThePlugin() {
        MicroRpc server = server(b -> b);
        server.export(EchoApi.class, new EchoImpl());
        // The default call.serializer is protostuff; this client has only java-test.
        MicroRpc client = client(settings("client").callSerializer("protostuff"), true);
        EchoApi echo = reference(client, EchoApi.class, server.port(), Duration.ofSeconds(5));

        assertThatThrownBy(() -> echo.echo("x")).isInstanceOfSatisfying(RpcException.class, e -> {
            assertThat(e.code()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(e.getMessage())
                    .contains("Serializer")
                    .contains("'protostuff'")
                    .contains("plugin-codec-protostuff")
                    .contains("java-test");
        });
        assertThat(client.pendingCalls()).isZero();
    }

    @Test
    void callWithNoSerializerLoadedAtAllFailsWithFailedPreconditionNamingThePlugin() {
        MicroRpc server = server(b -> b);
        server.export(EchoApi.class, new EchoImpl());
        MicroRpc client = client(settings("client").callSerializer("protostuff"), false);
        EchoApi echo = reference(client, EchoApi.class, server.port(), Duration.ofSeconds(5));

        assertThatThrownBy(() -> echo.echoAsync("x").join()).satisfies(t -> {
            RpcException e = RpcException.find(t);
            assertThat(e).isNotNull();
            assertThat(e.code()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(e.getMessage())
                    .contains("Serializer")
                    .contains("plugin-codec-protostuff")
                    .contains("loaded: none");
        });
    }

    @Test
    void referenceToAnAddressWhereNothingListensFailsFastWithUnavailable() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        MicroRpc client = client(settings("client").callConnectTimeout(Duration.ofMillis(300)), true);
        Duration callTimeout = Duration.ofSeconds(20);
        EchoApi echo = reference(client, EchoApi.class, port, callTimeout);

        long start = System.nanoTime();
        assertThatThrownBy(() -> echo.echo("anyone?")).isInstanceOfSatisfying(RpcException.class, e -> {
            assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(e.getMessage()).contains("127.0.0.1:" + port);
        });
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took)
                .as("a call to a dead address fails at once, not after the call timeout")
                .isLessThan(Duration.ofSeconds(2));

        CompletableFuture<String> async = echo.echoAsync("anyone?");
        assertThatThrownBy(() -> async.get(2, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .satisfies(t -> assertThat(RpcException.find(t).code()).isEqualTo(Status.Code.UNAVAILABLE));
    }

    @Test
    void deadlineTravelsAndACallThatExpiredWhileQueuedIsNeverStarted() throws Exception {
        MicroRpc server = server(b -> b.serverWorkerThreads(1));
        EchoImpl impl = new EchoImpl();
        server.export(EchoApi.class, impl);
        MicroRpc client = client(settings("client"), true);
        EchoApi patient = reference(client, EchoApi.class, server.port(), Duration.ofSeconds(10));
        EchoApi hasty = reference(client, EchoApi.class, server.port(), Duration.ofMillis(300));
        CountDownLatch gate = gate(impl);

        CompletableFuture<Long> first = CompletableFuture.supplyAsync(() -> patient.slow(1), callers);
        await().atMost(Duration.ofSeconds(5)).until(() -> impl.slowStarted.get() == 1);

        // The only worker is busy: this call waits in the server's queue until the caller gives up.
        assertThatThrownBy(() -> hasty.slow(2))
                .isInstanceOfSatisfying(
                        RpcException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        // The caller's 300 ms are over; make sure they are over on the server's clock too, without
        // depending on how quickly the gate is opened after the client's timer fired.
        serverClockOffset.set(Duration.ofSeconds(1).toNanos());
        gate.countDown();

        assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo(1L);
        // One worker takes queued calls in order: once this one is answered, the expired one has been
        // taken off the queue and dealt with.
        assertThat(patient.echo("after")).isEqualTo("after");
        assertThat(impl.slowStarted)
                .as("implementation starts: the expired call must not be run")
                .hasValue(1);
        assertThat(client.pendingCalls()).isZero();
    }

    @Test
    void fullWorkerQueueIsResourceExhaustedNamingTheSettings() throws Exception {
        MicroRpc server = server(b -> b.serverWorkerThreads(1).serverWorkerQueue(1));
        EchoImpl impl = new EchoImpl();
        server.export(EchoApi.class, impl);
        MicroRpc client = client(settings("client"), true);
        EchoApi echo = reference(client, EchoApi.class, server.port(), Duration.ofSeconds(10));
        CountDownLatch gate = gate(impl);

        CompletableFuture<Long> running = CompletableFuture.supplyAsync(() -> echo.slow(1), callers);
        await().atMost(Duration.ofSeconds(5)).until(() -> impl.slowStarted.get() == 1);
        CompletableFuture<String> queued = echo.echoAsync("queued");

        // Same connection, so the server takes "queued" in first: it fills the one queue slot.
        assertThatThrownBy(() -> echo.add(1, 2)).isInstanceOfSatisfying(RpcException.class, e -> {
            assertThat(e.code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(e.getMessage()).contains("server.worker-threads").contains("server.worker-queue");
        });
        gate.countDown();
        assertThat(running.get(5, TimeUnit.SECONDS)).isEqualTo(1L);
        assertThat(queued.get(5, TimeUnit.SECONDS)).isEqualTo("async:queued");
        assertThat(echo.add(1, 2)).isEqualTo(3);
    }

    @Test
    void oneWayCallToAMethodThatThrowsReportsNothingToTheCaller() throws Exception {
        MicroRpc server = server(b -> b);
        NoticeApi.Impl impl = new NoticeApi.Impl();
        server.export(NoticeApi.class, impl);
        MicroRpc client = client(settings("client"), true);
        NoticeApi notices = reference(client, NoticeApi.class, server.port(), Duration.ofSeconds(5));

        notices.noticeAndFail("nobody hears this"); // returns normally: no exception, no waiting

        assertThat(impl.firstFailure.await(5, TimeUnit.SECONDS))
                .as("the implementation ran and threw")
                .isTrue();
        assertThat(notices.ping("next")).isEqualTo("next");
        assertThat(client.pendingCalls()).isZero();
    }

    @Test
    void oneWayCallToAMethodThatThrowsSendsNothingBackOnTheWire() throws Exception {
        // One worker runs calls in arrival order, so anything the failed one-way call sent would be
        // written before the answer to the call after it.
        MicroRpc server = server(b -> b.serverWorkerThreads(1));
        NoticeApi.Impl impl = new NoticeApi.Impl();
        server.export(NoticeApi.class, impl);

        try (RawClient raw = RawClient.connect(server.port())) {
            raw.send(RawClient.request(
                    1,
                    Protocol.FLAG_ONE_WAY,
                    RawClient.JAVA_TEST,
                    NoticeApi.class.getName(),
                    "noticeAndFail",
                    RawClient.payload("boom")));
            raw.send(RawClient.request(2, NoticeApi.class.getName(), "ping", "after"));

            RawFrame first = raw.read();
            assertThat(first.requestId()).as("first frame back: %s", first).isEqualTo(2);
            assertThat(first.status()).isEqualTo(Status.Code.OK);
            assertThat(first.value(String.class)).isEqualTo("after");
        }
        assertThat(impl.failed).hasValue(1);
    }
}
