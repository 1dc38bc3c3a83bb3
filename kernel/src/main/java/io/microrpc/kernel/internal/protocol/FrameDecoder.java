package io.microrpc.kernel.internal.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splits the inbound byte stream into {@link Frame}s.
 *
 * <p>A bad magic, an unknown version or a declared body length over the maximum frame size closes the
 * connection, logged once per connection: the peer is not speaking this protocol (or is hostile), and
 * nothing after that point can be trusted. The length is checked from the header alone, so an
 * oversized frame never causes an allocation. A truncated frame just waits for more bytes; when the
 * connection closes, the base class releases what was buffered.
 */
public final class FrameDecoder extends ByteToMessageDecoder {

    private static final Logger log = LoggerFactory.getLogger(FrameDecoder.class);

    private final int maxFrameSize;
    private boolean rejected;

    public FrameDecoder(int maxFrameSize) {
        this.maxFrameSize = maxFrameSize;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (rejected) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.readableBytes() >= Protocol.HEADER_LENGTH) {
            int start = in.readerIndex();
            short magic = in.getShort(start);
            if (magic != Protocol.MAGIC) {
                reject(ctx, in, String.format("bad magic 0x%04X (expected 0x%04X): the peer does not speak the microrpc protocol",
                        magic & 0xFFFF, Protocol.MAGIC));
                return;
            }
            byte version = in.getByte(start + 2);
            if (version != Protocol.VERSION) {
                reject(ctx, in, "unknown protocol version " + version + " (this kernel speaks version " + Protocol.VERSION + ")");
                return;
            }
            int bodyLength = in.getInt(start + Protocol.BODY_LENGTH_OFFSET);
            if (bodyLength < 0 || bodyLength > maxFrameSize - Protocol.HEADER_LENGTH) {
                reject(ctx, in, "declared frame body of " + (bodyLength & 0xFFFFFFFFL) + " bytes exceeds protocol.max-frame-size "
                        + maxFrameSize + " (raise protocol.max-frame-size on both sides if such messages are intended)");
                return;
            }
            if (in.readableBytes() < Protocol.HEADER_LENGTH + bodyLength) {
                return;
            }
            byte flags = in.getByte(start + 3);
            byte serializerId = in.getByte(start + 4);
            byte status = in.getByte(start + 5);
            long requestId = in.getLong(start + 6);
            in.skipBytes(Protocol.HEADER_LENGTH);
            out.add(new Frame(flags, serializerId, status, requestId, in.readRetainedSlice(bodyLength)));
        }
    }

    private void reject(ChannelHandlerContext ctx, ByteBuf in, String reason) {
        rejected = true;
        in.skipBytes(in.readableBytes());
        log.warn("Closing connection {}: {}", ctx.channel().remoteAddress(), reason);
        ctx.close();
    }
}
