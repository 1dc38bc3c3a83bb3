package io.microrpc.kernel.internal.protocol;

import io.netty.buffer.ByteBuf;

/**
 * One decoded frame: the header fields and the body, a retained slice of the inbound buffer. Whoever
 * receives a frame owns its body and must {@link #release()} it exactly once.
 */
public final class Frame {

    private final byte flags;
    private final byte serializerId;
    private final byte status;
    private final long requestId;
    private final ByteBuf body;

    public Frame(byte flags, byte serializerId, byte status, long requestId, ByteBuf body) {
        this.flags = flags;
        this.serializerId = serializerId;
        this.status = status;
        this.requestId = requestId;
        this.body = body;
    }

    public byte flags() {
        return flags;
    }

    public boolean isResponse() {
        return (flags & Protocol.FLAG_RESPONSE) != 0;
    }

    public boolean isHeartbeat() {
        return (flags & Protocol.FLAG_HEARTBEAT) != 0;
    }

    public boolean isOneWay() {
        return (flags & Protocol.FLAG_ONE_WAY) != 0;
    }

    /** An error response for a call the server did not run. */
    public boolean isRefused() {
        return (flags & Protocol.FLAG_REFUSED) != 0;
    }

    public boolean isCancel() {
        return (flags & Protocol.FLAG_CANCEL) != 0;
    }

    public boolean isGoAway() {
        return (flags & Protocol.FLAG_GOAWAY) != 0;
    }

    public byte serializerId() {
        return serializerId;
    }

    public byte status() {
        return status;
    }

    public long requestId() {
        return requestId;
    }

    public ByteBuf body() {
        return body;
    }

    public void release() {
        body.release();
    }

    @Override
    public String toString() {
        return "Frame{id=" + requestId + ", flags=" + flags + ", serializer=" + serializerId + ", status=" + status
                + ", body=" + body.readableBytes() + "B}";
    }
}
