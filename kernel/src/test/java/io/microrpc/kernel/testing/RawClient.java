package io.microrpc.kernel.testing;

import io.microrpc.kernel.internal.protocol.Frames;
import io.microrpc.kernel.internal.protocol.Protocol;
import io.microrpc.kernel.internal.protocol.RequestHeader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Map;

/**
 * A blocking TCP client that writes hand-built frames, for tests that send what a real client never
 * would: bad magic, unknown versions, lying lengths, garbage payloads. Frames are built with the
 * kernel's own {@link Frames} and {@link RequestHeader} writers, so only the part a test breaks on
 * purpose differs from what a real client sends. Every read is bounded, so a server that never
 * answers fails the test instead of hanging it. Not thread-safe.
 */
public final class RawClient implements AutoCloseable {

    /** The id of {@link JavaTestSerializer}. */
    public static final byte JAVA_TEST = 100;

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);
    private static final long TIMEOUT_NANOS = Duration.ofSeconds(5).toNanos();
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private RawClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    public static RawClient connect(int port) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout((int) READ_TIMEOUT.toMillis());
        return new RawClient(s);
    }

    /** A request frame for {@code service.method} with {@code args} serialized by {@link JavaTestSerializer}. */
    public static ByteBuf request(long id, String service, String method, Object... args) throws IOException {
        return request(id, (byte) 0, JAVA_TEST, service, method, payload(args));
    }

    /** A request frame with explicit flags, serializer id and payload bytes. */
    public static ByteBuf request(
            long id, byte flags, byte serializerId, String service, String method, byte[] payload) {
        ByteBuf buf = Frames.start(ALLOC, 64 + payload.length, flags, serializerId, (byte) 0, id);
        RequestHeader.write(buf, service, method, TIMEOUT_NANOS, Map.of());
        buf.writeBytes(payload);
        Frames.finish(buf, 0, Integer.MAX_VALUE);
        return buf;
    }

    /** A request frame whose body is exactly {@code body}: metadata included, nothing checked. */
    public static ByteBuf frameWithBody(long id, byte serializerId, byte[] body) {
        ByteBuf buf = ALLOC.ioBuffer(Protocol.HEADER_LENGTH + body.length);
        Frames.writeHeader(buf, (byte) 0, serializerId, (byte) 0, id, body.length);
        buf.writeBytes(body);
        return buf;
    }

    /** {@code args} as {@link JavaTestSerializer} writes them, one after the other. */
    public static byte[] payload(Object... args) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        JavaTestSerializer serializer = new JavaTestSerializer();
        for (Object a : args) {
            serializer.write(bytes, a, a.getClass());
        }
        return bytes.toByteArray();
    }

    public static ByteBuf ping(long id) {
        return Frames.heartbeat(ALLOC, id, false);
    }

    /** Writes the readable bytes of {@code frame} and releases it; fails if someone else still holds it. */
    public void send(ByteBuf frame) throws IOException {
        byte[] bytes;
        try {
            bytes = ByteBufUtil.getBytes(frame);
        } finally {
            frame.release();
        }
        if (frame.refCnt() != 0) {
            throw new AssertionError("frame still referenced after release: refCnt=" + frame.refCnt());
        }
        send(bytes);
    }

    public void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads the next frame; fails after the read timeout, or with {@link EOFException} when the server closed. */
    public RawFrame read() throws IOException {
        byte[] header = new byte[Protocol.HEADER_LENGTH];
        in.readFully(header);
        ByteBuf h = Unpooled.wrappedBuffer(header);
        try {
            if (h.getShort(0) != Protocol.MAGIC || h.getByte(2) != Protocol.VERSION) {
                throw new AssertionError("the server sent a frame with a bad header: " + ByteBufUtil.hexDump(header));
            }
            int length = h.getInt(Protocol.BODY_LENGTH_OFFSET);
            byte[] body = new byte[length];
            in.readFully(body);
            return new RawFrame(h.getByte(3), h.getByte(4), h.getByte(5), h.getLong(6), body);
        } finally {
            h.release();
        }
    }

    /**
     * Waits (at most the read timeout) for the server to close this connection; fails if the server
     * sends anything instead, or keeps the connection open.
     */
    public void awaitClosedByServer() throws IOException {
        int b;
        try {
            b = in.read();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server kept the connection open for " + READ_TIMEOUT.toMillis() + " ms");
        } catch (SocketException e) {
            // Reset: closed with unread input on its side, which is a close too.
            return;
        }
        if (b != -1) {
            throw new AssertionError(
                    "the server sent data (first byte 0x" + Integer.toHexString(b) + ") instead of closing");
        }
    }

    /** Half-closes: the server sees the end of the stream but can still answer. */
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
