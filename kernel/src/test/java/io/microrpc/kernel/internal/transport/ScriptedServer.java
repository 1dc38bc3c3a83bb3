package io.microrpc.kernel.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.kernel.internal.protocol.Frames;
import io.microrpc.kernel.internal.protocol.Protocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server the test drives step by step over a blocking socket: accept, read one request, write given
 * bytes. What it writes arrives as written, however wrong, which a {@link ServerTransport} would never
 * send.
 */
final class ScriptedServer implements AutoCloseable {

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

    /** A response frame to request {@code id} with status OK and {@code bodyLength} zero bytes of body. */
    static byte[] responseFrame(long id, int bodyLength) {
        ByteBuf b = Unpooled.buffer();
        Frames.writeHeader(b, Protocol.FLAG_RESPONSE, (byte) 100, (byte) 0, id, bodyLength);
        b.writeZero(bodyLength);
        return bytesOf(b);
    }

    /** The server's GOAWAY. */
    static byte[] goAwayFrame() {
        return bytesOf(Frames.goAway(UnpooledByteBufAllocator.DEFAULT));
    }

    private static byte[] bytesOf(ByteBuf b) {
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        for (Socket s : all) {
            s.close();
        }
    }
}
