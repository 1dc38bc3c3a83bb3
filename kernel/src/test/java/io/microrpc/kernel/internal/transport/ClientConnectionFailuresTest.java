package io.microrpc.kernel.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.internal.protocol.Frame;
import io.microrpc.kernel.internal.protocol.Frames;
import io.microrpc.kernel.internal.protocol.Protocol;
import io.microrpc.kernel.testing.NettyLeakCheck;
import io.microrpc.kernel.testing.RawClient;
import io.microrpc.spi.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The client side of a connection facing a server that misbehaves: garbage or oversized frames close
 * the connection and fail the calls waiting on it at once (UNAVAILABLE, not after their timeout), and
 * the connection heals by reconnecting. The server is a scripted blocking socket.
 */
@ExtendWith(NettyLeakCheck.class)
class ClientConnectionFailuresTest {

    private final KernelSettings settings = KernelSettings.builder()
            .reconnectInitialBackoff(Duration.ofMillis(50)).reconnectMaxBackoff(Duration.ofMillis(200))
            .connectTimeout(Duration.ofSeconds(1)).clientIoThreads(1).build();

    private ScriptedServer server;
    private ClientTransport client;
    private ClientConnection connection;

    @BeforeEach
    void setUp() throws Exception {
        server = new ScriptedServer();
        client = new ClientTransport(settings);
        connection = client.connection("127.0.0.1", server.port());
        connection.firstConnect().get(5, TimeUnit.SECONDS);
    }

    @AfterEach
    void tearDown() throws IOException {
        client.close();
        server.close();
    }

    /** Sends a request; the future completes with the status the connection reports for it. */
    private CompletableFuture<Status> call(long id) throws IOException {
        CompletableFuture<Status> outcome = new CompletableFuture<>();
        boolean sent = connection.send(id, RawClient.request(id, "svc", "m", "arg"), new ResponseListener() {
            @Override
            public void onResponse(Frame response) {
                Status.Code code = Status.Code.fromValue(response.status());
                response.release();
                outcome.complete(Status.of(code));
            }

            @Override
            public void onConnectionFailure(Status status) {
                outcome.complete(status);
            }
        });
        assertThat(sent).isTrue();
        return outcome;
    }

    private static byte[] responseFrame(long id, int bodyLength) {
        ByteBuf b = Unpooled.buffer();
        Frames.writeHeader(b, Protocol.FLAG_RESPONSE, (byte) 100, (byte) 0, id, bodyLength);
        b.writeZero(bodyLength);
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    @Test
    void responseWithBadMagicClosesTheConnectionAndFailsPendingCallsAtOnce() throws Exception {
        CompletableFuture<Status> pending = call(1);
        Socket s = server.nextConnection();
        server.readRequest(s);

        byte[] garbage = responseFrame(1, 4);
        garbage[0] = 'H';
        server.write(s, garbage);

        Status status = pending.get(5, TimeUnit.SECONDS);
        assertThat(status.code()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(status.description()).contains("127.0.0.1:" + server.port());
        await().atMost(Duration.ofSeconds(5)).until(() -> server.accepts.get() == 2 && connection.isReady());
    }

    @Test
    void oversizedResponseHeaderClosesTheConnectionWithoutWaitingForTheBody() throws Exception {
        CompletableFuture<Status> pending = call(1);
        Socket s = server.nextConnection();
        server.readRequest(s);

        ByteBuf header = Unpooled.buffer(Protocol.HEADER_LENGTH);
        Frames.writeHeader(header, Protocol.FLAG_RESPONSE, (byte) 100, (byte) 0, 1, settings.maxFrameSize());
        byte[] headerOnly = ByteBufUtil.getBytes(header);
        header.release();
        server.write(s, headerOnly); // and never the 8 MiB it announces

        assertThat(pending.get(5, TimeUnit.SECONDS).code()).isEqualTo(Status.Code.UNAVAILABLE);
    }

    @Test
    void lateResponseToAForgottenCallIsDroppedAndTheConnectionStays() throws Exception {
        CompletableFuture<Status> forgotten = call(1);
        Socket s = server.nextConnection();
        server.readRequest(s);
        assertThat(connection.cancel(1)).isTrue(); // as the timer does when the call times out
        CompletableFuture<Status> next = call(2);
        server.readRequest(s);

        server.write(s, responseFrame(1, 32)); // too late: nobody waits for it any more
        server.write(s, responseFrame(2, 0));

        assertThat(next.get(5, TimeUnit.SECONDS).code()).isEqualTo(Status.Code.OK);
        assertThat(forgotten).isNotDone();
        assertThat(connection.isReady()).isTrue();
        assertThat(connection.pendingCount()).isZero();
    }

    @Test
    void serverClosingTheConnectionFailsPendingCallsAtOnceAndTheClientReconnects() throws Exception {
        CompletableFuture<Status> pending = call(1);
        Socket s = server.nextConnection();
        server.readRequest(s);

        s.close();

        assertThat(pending.get(5, TimeUnit.SECONDS).code()).isEqualTo(Status.Code.UNAVAILABLE);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.accepts.get() == 2 && connection.isReady());
    }

    /** A server the test drives step by step: accept, read one request, write given bytes. */
    private static final class ScriptedServer implements AutoCloseable {

        private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final BlockingQueue<Socket> accepted = new LinkedBlockingQueue<>();
        private final List<Socket> all = new CopyOnWriteArrayList<>();
        final AtomicInteger accepts = new AtomicInteger();
        private final Thread acceptor = new Thread(this::acceptLoop, "scripted-server");

        ScriptedServer() throws IOException {
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        private void acceptLoop() {
            try {
                while (true) {
                    Socket s = socket.accept();
                    s.setSoTimeout(5_000);
                    accepts.incrementAndGet();
                    all.add(s);
                    accepted.add(s);
                }
            } catch (IOException e) {
                // Closed.
            }
        }

        Socket nextConnection() throws InterruptedException {
            Socket s = accepted.poll(5, TimeUnit.SECONDS);
            assertThat(s).as("a connection from the client").isNotNull();
            return s;
        }

        /** Reads one whole request frame (skipping pings) and checks its header. */
        void readRequest(Socket s) throws IOException {
            DataInputStream in = new DataInputStream(s.getInputStream());
            while (true) {
                byte[] header = new byte[Protocol.HEADER_LENGTH];
                in.readFully(header);
                ByteBuf h = Unpooled.wrappedBuffer(header);
                assertThat(h.getShort(0)).isEqualTo(Protocol.MAGIC);
                int length = h.getInt(Protocol.BODY_LENGTH_OFFSET);
                boolean heartbeat = (h.getByte(3) & Protocol.FLAG_HEARTBEAT) != 0;
                h.release();
                in.readFully(new byte[length]);
                if (!heartbeat) {
                    return;
                }
            }
        }

        void write(Socket s, byte[] bytes) throws IOException {
            OutputStream out = s.getOutputStream();
            out.write(bytes);
            out.flush();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket s : all) {
                s.close();
            }
        }
    }
}
