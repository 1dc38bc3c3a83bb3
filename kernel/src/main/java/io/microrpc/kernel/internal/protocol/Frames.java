package io.microrpc.kernel.internal.protocol;

import io.microrpc.spi.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes frames into pooled buffers. A frame is written in place: the header with a zero length,
 * then the body straight into the same buffer, then {@link #finish} patches the length. No
 * intermediate arrays.
 */
public final class Frames {

    private Frames() {}

    /** Starts a frame: writes the header with body length 0. */
    public static ByteBuf start(
            ByteBufAllocator alloc, int bodySizeHint, byte flags, byte serializerId, byte status, long requestId) {
        ByteBuf buf = alloc.ioBuffer(Protocol.HEADER_LENGTH + bodySizeHint);
        writeHeader(buf, flags, serializerId, status, requestId, 0);
        return buf;
    }

    public static void writeHeader(
            ByteBuf buf, byte flags, byte serializerId, byte status, long requestId, int bodyLength) {
        buf.writeShort(Protocol.MAGIC);
        buf.writeByte(Protocol.VERSION);
        buf.writeByte(flags);
        buf.writeByte(serializerId);
        buf.writeByte(status);
        buf.writeLong(requestId);
        buf.writeInt(bodyLength);
    }

    /**
     * Sets the body length of a frame started at {@code frameStart} of {@code buf}, and checks it
     * against the peer's limit so that we never send a frame the other side must refuse.
     */
    public static void finish(ByteBuf buf, int frameStart, int maxFrameSize) {
        int frameLength = buf.writerIndex() - frameStart;
        if (frameLength > maxFrameSize) {
            throw new FrameTooLargeException(frameLength, maxFrameSize);
        }
        buf.setInt(frameStart + Protocol.BODY_LENGTH_OFFSET, frameLength - Protocol.HEADER_LENGTH);
    }

    /** A heartbeat (ping or pong) frame with an empty body. */
    public static ByteBuf heartbeat(ByteBufAllocator alloc, long id, boolean response) {
        ByteBuf buf = alloc.ioBuffer(Protocol.HEADER_LENGTH);
        byte flags = (byte) (Protocol.FLAG_HEARTBEAT | (response ? Protocol.FLAG_RESPONSE : 0));
        writeHeader(buf, flags, (byte) 0, (byte) 0, id, 0);
        return buf;
    }

    /** The client's notice that it no longer wants the answer to request {@code id}. */
    public static ByteBuf cancel(ByteBufAllocator alloc, long id) {
        ByteBuf buf = alloc.ioBuffer(Protocol.HEADER_LENGTH);
        writeHeader(buf, Protocol.FLAG_CANCEL, (byte) 0, (byte) 0, id, 0);
        return buf;
    }

    /** The server's notice that it is going away: finish what you sent, send nothing new. */
    public static ByteBuf goAway(ByteBufAllocator alloc) {
        ByteBuf buf = alloc.ioBuffer(Protocol.HEADER_LENGTH);
        writeHeader(buf, Protocol.FLAG_GOAWAY, (byte) 0, (byte) 0, 0, 0);
        return buf;
    }

    /**
     * An error response. Its body is two strings, the remote exception type (empty when none) and a
     * message, so the caller can read it whatever serializer it used.
     */
    public static ByteBuf error(
            ByteBufAllocator alloc, long requestId, byte serializerId, Status status, String remoteType) {
        return error(alloc, requestId, serializerId, status, remoteType, false);
    }

    /** An error response; {@code refused}: the server did not run the call ({@link Protocol#FLAG_REFUSED}). */
    public static ByteBuf error(
            ByteBufAllocator alloc,
            long requestId,
            byte serializerId,
            Status status,
            String remoteType,
            boolean refused) {
        // Cut before sizing the buffer: an exception message of megabytes must not cost megabytes here.
        String message = truncate(status.description() == null ? "" : status.description(), 4096);
        byte flags = refused ? (byte) (Protocol.FLAG_RESPONSE | Protocol.FLAG_REFUSED) : Protocol.FLAG_RESPONSE;
        ByteBuf buf = start(
                alloc,
                64 + message.length(),
                flags,
                serializerId,
                (byte) status.code().value(),
                requestId);
        writeString(buf, remoteType == null ? "" : remoteType);
        writeString(buf, message);
        buf.setInt(Protocol.BODY_LENGTH_OFFSET, buf.writerIndex() - Protocol.HEADER_LENGTH);
        return buf;
    }

    /** Writes a string as u16 length + UTF-8 bytes. */
    public static void writeString(ByteBuf buf, String s) {
        int lengthIndex = buf.writerIndex();
        buf.writeShort(0);
        int written = ByteBufUtil.writeUtf8(buf, s);
        if (written > Protocol.MAX_SHORT_STRING) {
            throw new IllegalArgumentException("string of " + written + " UTF-8 bytes (expected: <= "
                    + Protocol.MAX_SHORT_STRING + "): " + truncate(s, 64));
        }
        buf.setShort(lengthIndex, written);
    }

    /** Reads a string written by {@link #writeString}; fails with {@link MalformedFrameException}. */
    public static String readString(ByteBuf buf) {
        if (buf.readableBytes() < 2) {
            throw new MalformedFrameException("truncated string length");
        }
        int length = buf.readUnsignedShort();
        if (buf.readableBytes() < length) {
            throw new MalformedFrameException("string of " + length + " bytes, only " + buf.readableBytes() + " left");
        }
        String s = buf.toString(buf.readerIndex(), length, StandardCharsets.UTF_8);
        buf.skipBytes(length);
        return s;
    }

    /** Writes attachments as u16 count, then key/value strings. */
    public static void writeAttachments(ByteBuf buf, Map<String, String> attachments) {
        buf.writeShort(attachments.size());
        if (!attachments.isEmpty()) {
            for (Map.Entry<String, String> e : attachments.entrySet()) {
                writeString(buf, e.getKey());
                writeString(buf, e.getValue());
            }
        }
    }

    /**
     * Reads attachments written by {@link #writeAttachments}. The count is checked against the bytes left
     * before it sizes anything: each attachment takes at least 4 bytes (two empty strings), so a count the
     * body cannot hold is malformed. Unchecked, 2 bytes declaring 65,535 attachments sized a map table of
     * 262,144 slots (1 MiB) for a body of 20 bytes (found by RequestMetadataFuzzTest).
     */
    public static Map<String, String> readAttachments(ByteBuf buf) {
        if (buf.readableBytes() < 2) {
            throw new MalformedFrameException("truncated attachment count");
        }
        int count = buf.readUnsignedShort();
        if (count == 0) {
            return Map.of();
        }
        if (count > buf.readableBytes() / 4) {
            throw new MalformedFrameException(count + " attachments declared, but only " + buf.readableBytes()
                    + " bytes left (each takes at least 4)");
        }
        Map<String, String> map = new HashMap<>(count * 2);
        for (int i = 0; i < count; i++) {
            map.put(readString(buf), readString(buf));
        }
        return map;
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }
}
