package io.microrpc.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.testing.JavaTestSerializer;
import io.microrpc.spi.ClientFilter;
import io.microrpc.spi.ClientRequestContext;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.Invoker;
import io.microrpc.spi.RequestContext;
import io.microrpc.spi.RpcException;
import io.microrpc.spi.ServerFilter;
import io.microrpc.spi.ServerRequestContext;
import io.microrpc.spi.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The call contexts of SPI v2 over real connections: what each side's filters see, and cancellation
 * from the caller's future through the pending entry and the {@code CANCEL} frame to the server.
 */
class CallContextTest {

    public interface Slow {
        CompletableFuture<String> hold(String id);

        String quick();
    }

    /** Exported nowhere: a call is answered NOT_FOUND on the server's IO thread, in arrival order. */
    public interface Missing {
        String nothing();
    }

    @TempDir
    Path dir;

    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger ran = new AtomicInteger();
    private final List<String> cancelledOnServer = new CopyOnWriteArrayList<>();
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private MicroRpc server;
    private MicroRpc client;

    @AfterEach
    void close() {
        release.countDown();
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Records what a client filter sees at each stage, and writes an attachment per attempt. */
    private final class Recording implements ClientFilter {
        @Override
        public String name() {
            return "recording";
        }

        @Override
        public CompletableFuture<Object> invoke(ClientRequestContext context, Invocation invocation, Invoker next) {
            seen.add("call " + context.side() + " attempt=" + context.attempt() + " endpoint=" + context.endpoint());
            return next.invoke(invocation);
        }

        @Override
        public CompletableFuture<Object> invokeAttempt(
                ClientRequestContext context, Invocation invocation, Invoker next) {
            seen.add("attempt " + context.attempt() + " to "
                    + context.remoteAddress().getPort());
            return next.invoke(invocation.withAttachment("attempt", String.valueOf(context.attempt())));
        }
    }

    /** Records what a server filter sees. */
    private final class ServerSide implements ServerFilter {
        @Override
        public String name() {
            return "server-side";
        }

        @Override
        public CompletableFuture<Object> invoke(ServerRequestContext context, Invocation invocation, Invoker next) {
            seen.add("server " + context.side() + " " + context.method().name() + " attempt="
                    + invocation.attachment("attempt") + " from loopback="
                    + context.remoteAddress().getAddress().isLoopbackAddress() + " deadline within 10s="
                    + (context.deadline().remainingNanos() > 0
                            && context.deadline().remainingNanos() <= TimeUnit.SECONDS.toNanos(10)));
            return next.invoke(invocation);
        }
    }

    private final class SlowService implements Slow {
        @Override
        public CompletableFuture<String> hold(String id) {
            ran.incrementAndGet();
            ServerRequestContext context = ServerRequestContext.current();
            context.onCancel(() -> cancelledOnServer.add(id));
            return CompletableFuture.supplyAsync(() -> {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return id;
            });
        }

        @Override
        public String quick() {
            ran.incrementAndGet();
            try {
                // Holds the only worker until released.
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "quick";
        }
    }

    private Slow start(UnaryOperator<KernelSettings.Builder> serverSettings, Duration timeout) {
        KernelSettings.Builder base = KernelSettings.builder()
                .serverHost("127.0.0.1")
                .serverPort(0)
                .callSerializer("java-test")
                .pluginsDir(dir.resolve("none"));
        server = MicroRpc.builder()
                .settings(serverSettings.apply(base.dataDir(dir.resolve("s"))).build())
                .extension(new JavaTestSerializer())
                .extension(new ServerSide())
                .start();
        server.export(Slow.class, new SlowService());
        client = MicroRpc.builder()
                .settings(base.dataDir(dir.resolve("c")).build())
                .extension(new JavaTestSerializer())
                .extension(new Recording())
                .start();
        return client.reference(
                Slow.class,
                ReferenceOptions.builder()
                        .address("127.0.0.1:" + server.port())
                        .timeout(timeout)
                        .build());
    }

    @Test
    void eachSideSeesItsOwnContextAndAnAttemptsAttachmentReachesTheServer() throws Exception {
        Slow slow = start(b -> b, Duration.ofSeconds(10));
        CompletableFuture<String> r = slow.hold("a");
        release.countDown();
        assertThat(r.get(10, TimeUnit.SECONDS)).isEqualTo("a");
        assertThat(seen)
                .containsExactly(
                        "call " + RequestContext.Side.CLIENT + " attempt=0 endpoint=null",
                        "attempt 1 to " + server.port(),
                        "server " + RequestContext.Side.SERVER
                                + " hold attempt=1 from loopback=true deadline within 10s=true");
        assertThat(ServerRequestContext.current())
                .as("only while an implementation runs")
                .isNull();
    }

    @Test
    void cancellingTheFutureForgetsTheCallAndTellsTheServer() {
        Slow slow = start(b -> b, Duration.ofSeconds(30));
        CompletableFuture<String> r = slow.hold("b");
        await().until(() -> ran.get() == 1);

        assertThat(r.cancel(true)).isTrue();

        assertThat(r).isCancelled();
        await().untilAsserted(() -> assertThat(cancelledOnServer).containsExactly("b"));
        assertThat(pendingOnClient()).as("no pending entry waits for its timer").isZero();
    }

    @Test
    void aCallCancelledWhileQueuedNeverRuns() {
        Slow slow = start(b -> b.serverWorkerThreads(1), Duration.ofSeconds(30));
        CompletableFuture<String> busy = CompletableFuture.supplyAsync(slow::quick);
        await().until(() -> ran.get() == 1);
        CompletableFuture<String> queued = slow.hold("c");
        // The CANCEL frame follows the request on the same connection, and a call the server answers on
        // its IO thread follows the CANCEL: once that answer is back, the server has seen the CANCEL.
        queued.cancel(false);
        Missing missing = client.reference(
                Missing.class,
                ReferenceOptions.builder().address("127.0.0.1:" + server.port()).build());
        assertThat(RpcException.find(catchThrowableOfType(RpcException.class, missing::nothing))
                        .code())
                .isEqualTo(Status.Code.NOT_FOUND);

        release.countDown();
        assertThat(busy.join()).isEqualTo("quick");
        // The next call on the same worker runs after the cancelled one was dropped.
        assertThat(slow.hold("d").join()).isEqualTo("d");
        assertThat(ran).as("quick and d ran; c did not").hasValue(2);
    }

    @Test
    void anExpiredDeadlineAlsoTellsTheServer() {
        Slow slow = start(b -> b, Duration.ofMillis(300));
        CompletableFuture<String> r = slow.hold("e");
        RpcException e = RpcException.find(catchThrowableOfType(Exception.class, r::join));
        assertThat(e.code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        await().untilAsserted(() -> assertThat(cancelledOnServer).containsExactly("e"));
    }

    @Test
    void aFutureCompletedByTheCallerCancelsTheCall() {
        Slow slow = start(b -> b, Duration.ofSeconds(30));
        CompletableFuture<String> r = slow.hold("f");
        await().until(() -> ran.get() == 1);
        r.orTimeout(10, TimeUnit.MILLISECONDS);
        await().untilAsserted(() -> assertThat(cancelledOnServer).containsExactly("f"));
        assertThat(catchThrowableOfType(Exception.class, r::join)).hasCauseInstanceOf(TimeoutException.class);
        assertThat(catchThrowableOfType(CancellationException.class, () -> {
                    CompletableFuture<String> g = slow.hold("g");
                    g.cancel(false);
                    g.join();
                }))
                .isNotNull();
    }

    private int pendingOnClient() {
        return client.pendingCalls();
    }
}
