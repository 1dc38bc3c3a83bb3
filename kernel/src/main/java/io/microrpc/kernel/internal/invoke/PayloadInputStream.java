package io.microrpc.kernel.internal.invoke;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;

/**
 * The stream serializers read a payload from. {@link #readNBytes(int)} copies once, straight out of
 * the buffer: {@code InputStream}'s default reads 8 KiB chunks and copies them again into the result,
 * which was a third of the client's samples reading 4 KiB strings (docs/PERFORMANCE.md, finding 7). As
 * before, it allocates at most the bytes that are there, never a length the payload merely claims.
 * Not thread-safe, like any stream.
 */
final class PayloadInputStream extends ByteBufInputStream {

    private final ByteBuf buffer;

    PayloadInputStream(ByteBuf buffer) {
        super(buffer);
        this.buffer = buffer;
    }

    @Override
    public byte[] readNBytes(int len) {
        if (len < 0) {
            throw new IllegalArgumentException("len: " + len + " (expected: >= 0)");
        }
        byte[] bytes = new byte[Math.min(len, buffer.readableBytes())];
        buffer.readBytes(bytes);
        return bytes;
    }

    @Override
    public byte[] readAllBytes() {
        return readNBytes(Integer.MAX_VALUE);
    }
}
