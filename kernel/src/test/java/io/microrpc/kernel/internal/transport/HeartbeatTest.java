package io.microrpc.kernel.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.internal.protocol.Protocol;
import io.microrpc.kernel.testing.NettyLeakCheck;
import io.microrpc.kernel.testing.RawClient;
import io.microrpc.kernel.testing.RawFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Heartbeats between the real {@link ClientTransport} and {@link ServerTransport}: a client whose
 * server stops answering closes and reconnects; a server answers pings, so an idle but healthy
 * connection stays up; a server closes a client that went silent.
 */
@ExtendWith(NettyLeakCheck.class)
class HeartbeatTest {

    private static final Duration INTERVAL = Duration.ofMillis(100);
    private static final int MISSED_PONGS = 3;

    private final KernelSettings settings = KernelSettings.builder()
            .heartbeatInterval(INTERVAL)
            .heartbeatMissedPongs(MISSED_PONGS)
            .reconnectInitialBackoff(Duration.ofMillis(50))
            .reconnectMaxBackoff(Duration.ofMillis(200))
            .callConnectTimeout(Duration.ofSeconds(1))
            .clientIoThreads(1)
            .serverIoThreads(1)
            .serverWorkerThreads(1)
            .build();

    private ClientTransport client;
    private ServerTransport server;
    private SilentServer silent;

    @AfterEach
    void tearDown() throws IOException {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        if (silent != null) {
            silent.close();
        }
    }

    @Test
    void clientClosesAndReconnectsAfterMissedPongsFromASilentServer() throws Exception {
        silent = new SilentServer();
        client = new ClientTransport(settings, null);
        ClientConnection connection = client.connection("127.0.0.1", silent.port());
        connection.firstConnect().get(5, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(5)).until(() -> silent.accepted.size() >= 2);

        Accepted first = silent.accepted.get(0);
        await().atMost(Duration.ofSeconds(5)).until(() -> first.ended);
        byte[] received = first.bytes();
        assertThat(received.length)
                .as(
                        "bytes the client sent before giving up: %s pings of %s bytes",
                        MISSED_PONGS, Protocol.HEADER_LENGTH)
                .isEqualTo(MISSED_PONGS * Protocol.HEADER_LENGTH);
        ByteBuf in = Unpooled.wrappedBuffer(received);
        try {
            for (int i = 0; i < MISSED_PONGS; i++) {
                int at = i * Protocol.HEADER_LENGTH;
                assertThat(in.getShort(at)).isEqualTo(Protocol.MAGIC);
                assertThat(in.getByte(at + 2)).isEqualTo(Protocol.VERSION);
                assertThat(in.getByte(at + 3)).as("flags of ping %s", i).isEqualTo(Protocol.FLAG_HEARTBEAT);
                assertThat(in.getInt(at + Protocol.BODY_LENGTH_OFFSET)).isZero();
            }
        } finally {
            in.release();
        }
        await().atMost(Duration.ofSeconds(5)).until(connection::isReady);
    }

    @Test
    void healthyIdleConnectionStaysUpBecauseTheServerAnswersPings() throws Exception {
        List<String> callers = new CopyOnWriteArrayList<>();
        server = new ServerTransport(
                settings,
                (conn, frame) -> {
                    frame.release();
                    callers.add(conn.remoteAddress());
                },
                null);
        InetSocketAddress address = server.bind("127.0.0.1", 0);
        client = new ClientTransport(settings, null);
        ClientConnection connection = client.connection("127.0.0.1", address.getPort());
        connection.firstConnect().get(5, TimeUnit.SECONDS);
        assertThat(connection.sendOneWay(RawClient.request(1, "svc", "m"))).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> callers.size() == 1);

        // Ten heartbeat intervals without a call: either side would have closed the connection after
        // four, had the other not answered.
        await().during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(3))
                .until(() -> connection.isReady() && server.connectionCount() == 1);

        assertThat(connection.sendOneWay(RawClient.request(2, "svc", "m"))).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> callers.size() == 2);
        assertThat(callers.get(1))
                .as("the second call came over the same connection (same client port)")
                .isEqualTo(callers.get(0));
    }

    @Test
    void serverClosesAClientThatSendsNothing() throws Exception {
        server = new ServerTransport(settings, (conn, frame) -> frame.release(), null);
        InetSocketAddress address = server.bind("127.0.0.1", 0);
        try (RawClient raw = RawClient.connect(address.getPort())) {
            raw.send(RawClient.ping(9));
            RawFrame pong = raw.read();
            assertThat(pong.isHeartbeat()).isTrue();
            long start = System.nanoTime();

            raw.awaitClosedByServer();

            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("closed only after the idle limit")
                    .isGreaterThanOrEqualTo(INTERVAL.multipliedBy(MISSED_PONGS));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> server.connectionCount() == 0);
    }

    /** A TCP server that accepts and reads everything, and never writes a byte. */
    private static final class SilentServer implements AutoCloseable {

        final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final List<Accepted> accepted = new CopyOnWriteArrayList<>();
        private final Thread acceptor = new Thread(this::acceptLoop, "silent-server");

        SilentServer() throws IOException {
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        private void acceptLoop() {
            try {
                while (true) {
                    Accepted a = new Accepted(socket.accept());
                    accepted.add(a);
                    Thread reader = new Thread(a::readAll, "silent-server-reader");
                    reader.setDaemon(true);
                    reader.start();
                }
            } catch (IOException e) {
                // Closed.
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Accepted a : accepted) {
                a.socket.close();
            }
        }
    }

    /** One accepted connection: what it received, and whether the client ended it. */
    private static final class Accepted {

        final Socket socket;
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        volatile boolean ended;

        Accepted(Socket socket) {
            this.socket = socket;
        }

        void readAll() {
            byte[] buf = new byte[256];
            try (InputStream in = socket.getInputStream()) {
                int n;
                while ((n = in.read(buf)) != -1) {
                    synchronized (received) {
                        received.write(buf, 0, n);
                    }
                }
            } catch (IOException e) {
                // Reset or closed by the test: the connection ended either way.
            }
            ended = true;
        }

        byte[] bytes() {
            synchronized (received) {
                return received.toByteArray();
            }
        }
    }
}
