package io.microrpc.kernel.internal.protocol;

import io.microrpc.spi.Durations;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splits the inbound byte stream into {@link Frame}s.
 *
 * <p>A bad magic, an unknown version or a declared body length over the maximum frame size closes the
 * connection: the peer is not speaking this protocol (or is hostile), and nothing after that point can
 * be trusted. The length is checked from the header alone, so an oversized frame never causes an
 * allocation. A truncated frame waits for more bytes; when the connection closes, the base class
 * releases what was buffered.
 *
 * <p>On the server two more limits hold, so slow or partial frames cannot hold memory and connections
 * at will:
 * <ul>
 *   <li>a frame must be complete within the frame timeout of its first bytes arriving (time the server
 *       spends not reading, under back-pressure, does not count);</li>
 *   <li>a frame over {@link #UNBUDGETED_FRAME} bytes reserves its declared length from the
 *       {@link FrameLimits} shared by all connections while it is incomplete; a frame they cannot
 *       hold closes its connection.</li>
 * </ul>
 * Closures are logged, at most one line a second for all connections, with the count of the others.
 */
public final class FrameDecoder extends ByteToMessageDecoder {

    /** The first two bytes of a TLS handshake record (type 22, version 3.x): a TLS peer's first bytes. */
    private static final short TLS_HANDSHAKE = 0x1603;

    private static final Logger log = LoggerFactory.getLogger(FrameDecoder.class);
    private static final ThrottledLog REJECTIONS = new ThrottledLog(
            1,
            TimeUnit.SECONDS,
            n -> log.warn("Closed {} more connections for bad or slow frames in the last second", n));

    /** Frames up to this size (header included) never wait on the budget: their cost is bounded per connection. */
    public static final int UNBUDGETED_FRAME = 16 * 1024;

    private final int maxFrameSize;
    private final FrameLimits limits;
    private final long frameTimeoutNanos;
    private boolean rejected;
    private long reserved;
    private long partialSince = -1;
    private ScheduledFuture<?> timeoutCheck;

    /** A decoder without a budget or frame timeout (the client side: servers are trusted to send whole frames). */
    public FrameDecoder(int maxFrameSize) {
        this(maxFrameSize, null);
    }

    /** {@code limits}: null for none. */
    public FrameDecoder(int maxFrameSize, FrameLimits limits) {
        this.maxFrameSize = maxFrameSize;
        this.limits = limits;
        this.frameTimeoutNanos = limits == null || limits.frameTimeout() == null
                ? 0
                : limits.frameTimeout().toNanos();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (rejected) {
            in.skipBytes(in.readableBytes());
            return;
        }
        boolean completed = false;
        while (in.readableBytes() >= Protocol.HEADER_LENGTH) {
            int start = in.readerIndex();
            short magic = in.getShort(start);
            if (magic != Protocol.MAGIC) {
                reject(
                        ctx,
                        in,
                        magic == TLS_HANDSHAKE
                                ? "a TLS handshake: the peer has TLS on (tls.enabled=true) and this end has not;"
                                        + " turn it on at both ends or at neither (docs/SECURITY.md)"
                                : String.format(
                                        "bad magic 0x%04X (expected 0x%04X): the peer does not speak the microrpc"
                                                + " protocol",
                                        magic & 0xFFFF, Protocol.MAGIC));
                return;
            }
            byte version = in.getByte(start + 2);
            if (version != Protocol.VERSION) {
                reject(
                        ctx,
                        in,
                        "unknown protocol version " + version + " (this kernel speaks version " + Protocol.VERSION
                                + ")");
                return;
            }
            int bodyLength = in.getInt(start + Protocol.BODY_LENGTH_OFFSET);
            if (bodyLength < 0 || bodyLength > maxFrameSize - Protocol.HEADER_LENGTH) {
                reject(
                        ctx,
                        in,
                        "declared frame body of " + (bodyLength & 0xFFFFFFFFL)
                                + " bytes exceeds protocol.max-frame-size " + maxFrameSize
                                + " (raise protocol.max-frame-size on both sides if such messages are intended)");
                return;
            }
            int frameLength = Protocol.HEADER_LENGTH + bodyLength;
            if (in.readableBytes() < frameLength) {
                if (!reserve(frameLength)) {
                    reject(
                            ctx,
                            in,
                            "no room for a frame of " + frameLength + " bytes: " + limits.bufferedBytes()
                                    + " bytes of incomplete frames are buffered already, of server.max-buffered-bytes "
                                    + limits.maxBufferedBytes());
                    return;
                }
                break;
            }
            byte flags = in.getByte(start + 3);
            byte serializerId = in.getByte(start + 4);
            byte status = in.getByte(start + 5);
            long requestId = in.getLong(start + 6);
            in.skipBytes(Protocol.HEADER_LENGTH);
            out.add(new Frame(flags, serializerId, status, requestId, in.readRetainedSlice(bodyLength)));
            unreserve();
            completed = true;
        }
        trackPartial(ctx, in.isReadable(), completed);
    }

    private boolean reserve(int frameLength) {
        if (limits == null || reserved > 0 || frameLength <= UNBUDGETED_FRAME) {
            return true;
        }
        if (!limits.tryReserve(frameLength)) {
            return false;
        }
        reserved = frameLength;
        return true;
    }

    private void unreserve() {
        if (reserved > 0) {
            limits.release(reserved);
            reserved = 0;
        }
    }

    /** Starts the clock of a frame whose first bytes arrived; a check fires when its time is up. */
    private void trackPartial(ChannelHandlerContext ctx, boolean partial, boolean newFrame) {
        if (frameTimeoutNanos == 0) {
            return;
        }
        if (!partial) {
            partialSince = -1;
            return;
        }
        if (partialSince < 0 || newFrame) {
            partialSince = System.nanoTime();
        }
        if (timeoutCheck == null) {
            timeoutCheck =
                    ctx.executor().schedule(() -> checkFrameTimeout(ctx), frameTimeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void checkFrameTimeout(ChannelHandlerContext ctx) {
        timeoutCheck = null;
        if (partialSince < 0 || rejected || !ctx.channel().isActive()) {
            return;
        }
        if (!ctx.channel().config().isAutoRead()) {
            // Back-pressure: the server is not reading this connection, so its frame cannot progress.
            partialSince = System.nanoTime();
        }
        long left = partialSince + frameTimeoutNanos - System.nanoTime();
        if (left > 0) {
            timeoutCheck = ctx.executor().schedule(() -> checkFrameTimeout(ctx), left, TimeUnit.NANOSECONDS);
            return;
        }
        limits.timedOut();
        reject(
                ctx,
                null,
                "a frame was still incomplete " + Durations.format(Duration.ofNanos(frameTimeoutNanos))
                        + " after its first bytes arrived (server.frame-timeout); the client sends too slowly");
    }

    private void reject(ChannelHandlerContext ctx, ByteBuf in, String reason) {
        rejected = true;
        if (in != null) {
            in.skipBytes(in.readableBytes());
        }
        unreserve();
        Object remote = ctx.channel().remoteAddress();
        REJECTIONS.log(
                ctx.executor(),
                more -> log.warn(
                        "Closing connection {}: {}{}",
                        remote,
                        reason,
                        ThrottledLog.more(more, "connections closed for bad or slow frames")));
        ctx.close();
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        unreserve();
        if (timeoutCheck != null) {
            timeoutCheck.cancel(false);
            timeoutCheck = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        try {
            super.channelInactive(ctx);
        } finally {
            handlerRemoved0(ctx);
        }
    }
}
