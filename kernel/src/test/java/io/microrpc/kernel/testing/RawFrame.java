package io.microrpc.kernel.testing;

import io.microrpc.kernel.internal.protocol.Frames;
import io.microrpc.kernel.internal.protocol.Protocol;
import io.microrpc.spi.AllowedTypes;
import io.microrpc.spi.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/** One frame as a {@link RawClient} read it off the socket: header fields and the body bytes. Immutable. */
public final class RawFrame {

    private final byte flags;
    private final byte serializerId;
    private final byte status;
    private final long requestId;
    private final byte[] body;

    RawFrame(byte flags, byte serializerId, byte status, long requestId, byte[] body) {
        this.flags = flags;
        this.serializerId = serializerId;
        this.status = status;
        this.requestId = requestId;
        this.body = body;
    }

    public boolean isResponse() {
        return (flags & Protocol.FLAG_RESPONSE) != 0;
    }

    public boolean isHeartbeat() {
        return (flags & Protocol.FLAG_HEARTBEAT) != 0;
    }

    /** The server did not run the call ({@link Protocol#FLAG_REFUSED}): a consumer may send it elsewhere. */
    public boolean isRefused() {
        return (flags & Protocol.FLAG_REFUSED) != 0;
    }

    public byte serializerId() {
        return serializerId;
    }

    public Status.Code status() {
        return Status.Code.fromValue(status);
    }

    public long requestId() {
        return requestId;
    }

    public byte[] body() {
        return body.clone();
    }

    /** The message of an error response (the second string of its body). */
    public String errorMessage() {
        ByteBuf b = Unpooled.wrappedBuffer(body);
        try {
            Frames.readString(b);
            return Frames.readString(b);
        } finally {
            b.release();
        }
    }

    /** The value of a successful response, read with {@link JavaTestSerializer}. */
    public Object value(Class<?> type) throws IOException {
        return new JavaTestSerializer().read(new ByteArrayInputStream(body), type, AllowedTypes.jdkOnly());
    }

    @Override
    public String toString() {
        return "RawFrame{id=" + requestId + ", flags=" + flags + ", serializer=" + serializerId + ", status=" + status()
                + ", body=" + body.length + "B"
                + (status() != Status.Code.OK && isResponse() ? ", message=" + errorMessage() : "") + '}';
    }
}
