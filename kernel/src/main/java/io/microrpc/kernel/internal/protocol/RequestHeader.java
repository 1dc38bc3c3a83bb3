package io.microrpc.kernel.internal.protocol;

import io.netty.buffer.ByteBuf;
import java.util.Map;

/**
 * The metadata at the start of a request body: service, method, time remaining until the deadline
 * and attachments. The payload (the serialized arguments) follows it.
 *
 * <pre>
 * u16+utf8 service | u16+utf8 method | i64 timeout nanos remaining | u16 count, then u16+utf8 key/value pairs
 * </pre>
 */
public final class RequestHeader {

    private final String service;
    private final String method;
    private final long timeoutNanos;
    private final Map<String, String> attachments;

    public RequestHeader(String service, String method, long timeoutNanos, Map<String, String> attachments) {
        this.service = service;
        this.method = method;
        this.timeoutNanos = timeoutNanos;
        this.attachments = attachments;
    }

    public static void write(
            ByteBuf buf, String service, String method, long timeoutNanos, Map<String, String> attachments) {
        Frames.writeString(buf, service);
        Frames.writeString(buf, method);
        buf.writeLong(timeoutNanos);
        Frames.writeAttachments(buf, attachments);
    }

    /**
     * Reads the rest of the metadata once the names at its start have been read (the server resolves
     * them without decoding when it can), and leaves {@code body}'s reader index at the payload.
     */
    public static RequestHeader readAfterNames(ByteBuf body, String service, String method) {
        if (body.readableBytes() < 8) {
            throw new MalformedFrameException("truncated request metadata: no timeout");
        }
        long timeoutNanos = body.readLong();
        Map<String, String> attachments = Frames.readAttachments(body);
        return new RequestHeader(service, method, timeoutNanos, attachments);
    }

    public String service() {
        return service;
    }

    public String method() {
        return method;
    }

    /** Nanoseconds the caller had left when it sent the request. */
    public long timeoutNanos() {
        return timeoutNanos;
    }

    public Map<String, String> attachments() {
        return attachments;
    }
}
