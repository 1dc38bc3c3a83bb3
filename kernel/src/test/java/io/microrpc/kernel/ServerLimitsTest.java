package io.microrpc.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.internal.protocol.Frames;
import io.microrpc.kernel.internal.protocol.Protocol;
import io.microrpc.kernel.testing.EchoApi;
import io.microrpc.kernel.testing.EchoImpl;
import io.microrpc.kernel.testing.JavaTestSerializer;
import io.microrpc.kernel.testing.RawClient;
import io.microrpc.kernel.testing.RawFrame;
import io.microrpc.spi.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real server against the clients issue 10 describes: one that pipelines requests and never reads
 * the answers, floods of connections, clients that trickle a frame byte by byte, and crowds of
 * connections that each start a large frame and never finish it. Each is held by a limit, with a
 * bounded number of log lines, while a well-behaved client keeps being served.
 */
class ServerLimitsTest {

    private static final String ECHO = EchoApi.class.getName();

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private MicroRpc server;
    private EchoImpl impl;

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private void start(UnaryOperator<KernelSettings.Builder> settings) {
        KernelSettings s = settings.apply(KernelSettings.builder()
                        .serverPort(0)
                        .callSerializer("java-test")
                        .pluginsDir(dir.resolve("none"))
                        .dataDir(dir.resolve("data")))
                .build();
        server = MicroRpc.builder()
                .settings(s)
                .extension(new JavaTestSerializer())
                .start();
        impl = new EchoImpl();
        server.export(EchoApi.class, impl);
    }

    /** A separate kernel calling the server, as a well-behaved client does. */
    private EchoApi wellBehavedClient() {
        KernelSettings s = KernelSettings.builder()
                .callSerializer("java-test")
                .pluginsDir(dir.resolve("none"))
                .dataDir(dir.resolve("client-data"))
                .build();
        MicroRpc client = MicroRpc.builder()
                .settings(s)
                .extension(new JavaTestSerializer())
                .start();
        closeables.add(client);
        return client.reference(
                EchoApi.class,
                ReferenceOptions.builder()
                        .address("127.0.0.1:" + server.port())
                        .timeout(Duration.ofSeconds(10))
                        .build());
    }

    private long figure(String name) {
        return (Long) server.metrics().getGauges().get(name).getValue();
    }

    private long echoCallsHandled() {
        var counters = server.metrics().getCounters();
        return counters.entrySet().stream()
                .filter(e -> e.getKey().startsWith("microrpc.server." + ECHO + ".echo.status."))
                .mapToLong(e -> e.getValue().getCount())
                .sum();
    }

    // --- 1. a client that pipelines and never reads ---

    @Test
    void aClientThatNeverReadsIsNoLongerReadAndItsClosureIsOneLogLine() throws Exception {
        start(b -> b.serverWriteBufferHighWater(64 * 1024)
                .serverWriteBufferLowWater(32 * 1024)
                .serverMaxCallsPerConnection(50));
        EchoApi good = wellBehavedClient();
        assertThat(good.echo("warm")).isEqualTo("warm");

        char[] chars = new char[4096];
        Arrays.fill(chars, 'p');
        byte[] one = bytes(RawClient.request(1, ECHO, "echo", new String(chars)));
        int requests = 20_000; // 80 MiB of answers if the server read them all
        Socket flood = new Socket();
        closeables.add(flood);
        flood.setReceiveBufferSize(8 * 1024);
        flood.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
        int local = flood.getLocalPort();
        AtomicInteger sent = new AtomicInteger();
        CountDownLatch writerDone = new CountDownLatch(1);
        Thread writer = new Thread(
                () -> {
                    try {
                        for (int i = 0; i < requests; i++) {
                            flood.getOutputStream().write(one);
                            sent.incrementAndGet();
                        }
                    } catch (IOException e) {
                        // the socket was closed under it: the end of the flood
                    } finally {
                        writerDone.countDown();
                    }
                },
                "flood-writer");

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream originalErr = System.err;
        try {
            System.setErr(new PrintStream(new TeeStream(originalErr, log), true, StandardCharsets.UTF_8));
            writer.start();
            // The server takes requests until its answers back up, then stops reading: its work settles.
            long[] last = {-1};
            await().pollInterval(Duration.ofMillis(300))
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> {
                        long handled = echoCallsHandled();
                        boolean settled = handled == last[0];
                        last[0] = handled;
                        return settled || writerDone.getCount() == 0;
                    });
            assertThat(writerDone.getCount())
                    .as("the writer is blocked: the server stopped reading")
                    .isEqualTo(1);
            assertThat(sent.get())
                    .as("requests the server took before it stopped reading")
                    .isLessThan(requests / 4);
            assertThat(echoCallsHandled())
                    .as("calls run for a client that reads nothing")
                    .isLessThan(requests / 4);

            assertThat(good.echo("meanwhile"))
                    .as("another client is served meanwhile")
                    .isEqualTo("meanwhile");

            flood.setSoLinger(true, 0);
            flood.close(); // a reset, with answers queued on the server
            assertThat(writerDone.await(10, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> figure("microrpc.server.connections") == 1);
            assertThat(good.echo("after")).isEqualTo("after");
        } finally {
            System.setErr(originalErr);
        }
        String text = log.toString(StandardCharsets.UTF_8);
        long lines = text.lines().filter(l -> l.contains(":" + local)).count();
        assertThat(lines)
                .as("log lines about the flooding connection:%n%s", text)
                .isLessThanOrEqualTo(2);
    }

    @Test
    void callsBeyondTheBoundOfOneConnectionAreRefusedWithoutRunning() throws Exception {
        start(b -> b.serverMaxCallsPerConnection(2));
        impl.gate = new CountDownLatch(1);
        try (RawClient raw = RawClient.connect(server.port())) {
            raw.send(RawClient.request(1, ECHO, "slow", 1L));
            raw.send(RawClient.request(2, ECHO, "slow", 2L));
            await().atMost(Duration.ofSeconds(10)).until(() -> impl.slowStarted.get() == 2);

            raw.send(RawClient.request(3, ECHO, "slow", 3L));
            RawFrame refused = raw.read();
            assertThat(refused.requestId()).isEqualTo(3);
            assertThat(refused.status()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(refused.isRefused())
                    .as("refused: the consumer may send it elsewhere")
                    .isTrue();
            assertThat(refused.errorMessage()).contains("server.max-calls-per-connection");
            assertThat(impl.slowStarted).hasValue(2);

            impl.gate.countDown();
            List<Long> answered = List.of(raw.read().requestId(), raw.read().requestId());
            assertThat(answered).containsExactlyInAnyOrder(1L, 2L);
            raw.send(RawClient.request(4, ECHO, "echo", "again"));
            assertThat(raw.read().value(String.class)).isEqualTo("again");
        }
    }

    // --- 2. connection limits ---

    @Test
    void connectionsBeyondTheLimitsAreClosedOnArrivalAndCounted() throws Exception {
        start(b -> b.serverMaxConnections(12).serverMaxConnectionsPerAddress(8));
        List<Socket> fromTwo = open("127.0.0.2", 10);
        assertThat(admitted(fromTwo)).as("from one address").isEqualTo(8);
        List<Socket> fromThree = open("127.0.0.3", 10);
        assertThat(admitted(fromThree)).as("the rest of the total").isEqualTo(4);
        assertThat(figure("microrpc.server.connections")).isEqualTo(12);
        assertThat(figure("microrpc.server.connections.refused.total")).isEqualTo(8);

        for (Socket s : fromTwo) {
            s.close();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> figure("microrpc.server.connections") == 4);
        assertThat(wellBehavedClient().echo("room again")).isEqualTo("room again");
    }

    private List<Socket> open(String localHost, int count) throws IOException {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Socket s = new Socket();
            closeables.add(s);
            s.bind(new InetSocketAddress(localHost, 0));
            try {
                s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
                s.setSoTimeout(5_000);
            } catch (SocketException e) {
                // Refused on arrival, so fast that the reset reached connect() itself: counted as not kept.
                s.close();
            }
            sockets.add(s);
        }
        return sockets;
    }

    /** How many of {@code sockets} the server kept: each pings, and a kept one is answered. */
    private static int admitted(List<Socket> sockets) throws IOException {
        int kept = 0;
        for (Socket s : sockets) {
            if (s.isClosed()) {
                continue;
            }
            try {
                s.getOutputStream().write(bytes(RawClient.ping(7)));
                byte[] header = s.getInputStream().readNBytes(Protocol.HEADER_LENGTH);
                if (header.length == Protocol.HEADER_LENGTH) {
                    kept++;
                }
            } catch (SocketException e) {
                // reset: closed on arrival
            }
        }
        return kept;
    }

    // --- 2. slow and partial frames ---

    @Test
    void aClientTricklingAFrameIsClosedAfterTheFrameTimeoutThoughItNeverGoesIdle() throws Exception {
        start(b -> b.serverFrameTimeout(Duration.ofMillis(500)).heartbeatInterval(Duration.ofSeconds(30)));
        byte[] frame = bytes(RawClient.request(1, ECHO, "echo", "slowly"));
        Socket s = new Socket();
        closeables.add(s);
        s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
        s.setSoTimeout(10_000);
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger next = new AtomicInteger();
        try {
            // One byte every 50 ms: never idle, and the frame would take seconds to finish.
            trickle.scheduleAtFixedRate(
                    () -> {
                        int i = next.getAndIncrement();
                        if (i < frame.length) {
                            try {
                                s.getOutputStream().write(frame[i]);
                            } catch (IOException e) {
                                throw new IllegalStateException(e);
                            }
                        }
                    },
                    0,
                    50,
                    TimeUnit.MILLISECONDS);
            assertClosedByServer(s);
            assertThat(next.get()).as("bytes sent before the server closed").isLessThan(frame.length);
            assertThat(figure("microrpc.server.frame.timeouts.total")).isEqualTo(1);
        } finally {
            trickle.shutdownNow();
        }
        assertThat(wellBehavedClient().echo("still serving")).isEqualTo("still serving");
    }

    @Test
    void largeFramesThatNeverFinishAreBoundedAcrossConnections() throws Exception {
        start(b -> b.serverMaxBufferedBytes(1024 * 1024).heartbeatInterval(Duration.ofSeconds(30)));
        int body = 300 * 1024;
        List<Socket> sockets = open("127.0.0.1", 6);
        for (Socket s : sockets) {
            ByteBuf header = ByteBufAllocator.DEFAULT.buffer(Protocol.HEADER_LENGTH);
            Frames.writeHeader(header, (byte) 0, RawClient.JAVA_TEST, (byte) 0, 1, body);
            s.getOutputStream().write(bytes(header));
            s.getOutputStream().write(new byte[1024]);
        }
        // 3 frames of 300 KiB fit in 1 MiB; the others close their connections.
        await().atMost(Duration.ofSeconds(10)).until(() -> figure("microrpc.server.frames.refused.total") == 3);
        assertThat(figure("microrpc.server.buffered.bytes")).isEqualTo(3L * (Protocol.HEADER_LENGTH + body));
        // Closed on the server's side, so their ends are on the way: a short read finds them.
        await().atMost(Duration.ofSeconds(10)).until(() -> figure("microrpc.server.connections") == 3);
        int closed = 0;
        for (Socket s : sockets) {
            s.setSoTimeout(200);
            if (isClosedByServer(s)) {
                closed++;
            }
        }
        assertThat(closed).isEqualTo(3);
        assertThat(wellBehavedClient().echo("small frames pass")).isEqualTo("small frames pass");

        for (Socket s : sockets) {
            s.close();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> figure("microrpc.server.buffered.bytes") == 0);
    }

    private static void assertClosedByServer(Socket s) throws IOException {
        assertThat(isClosedByServer(s)).as("closed by the server").isTrue();
    }

    private static boolean isClosedByServer(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        }
    }

    /** The bytes of {@code buf}, which is released. */
    private static byte[] bytes(ByteBuf buf) {
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    /** Writes to two streams: the log still reaches the console while the test reads it. */
    private static final class TeeStream extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        TeeStream(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) throws IOException {
            a.write(x);
            synchronized (b) {
                b.write(x);
            }
        }

        @Override
        public void write(byte[] bytes, int off, int len) throws IOException {
            a.write(bytes, off, len);
            synchronized (b) {
                b.write(bytes, off, len);
            }
        }
    }
}
