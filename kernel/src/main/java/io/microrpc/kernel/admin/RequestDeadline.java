package io.microrpc.kernel.admin;

import io.microrpc.spi.Durations;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The time a client has, per connection: from the moment the connection waits for it (accepted, or an
 * answer started) it must deliver a whole request within {@code admin.request-timeout}, however it
 * trickles the bytes in; otherwise the connection is closed, with a 408 if part of a request had come.
 * Netty's {@code ReadTimeoutHandler} would not do: every byte of a slow client resets it. No timer runs
 * while the endpoint answers a request, which may take as long as the action needs.
 *
 * <p>First in the pipeline, so it sees the raw bytes. One per connection; owned by its event loop,
 * where {@link #waitForClient()} and {@link #busy()} are called.
 */
final class RequestDeadline extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(RequestDeadline.class);

    private final Duration timeout;
    private final ConnectionSlots slots;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;
    private boolean bytesSeen;
    private boolean closing;
    private boolean refused;

    RequestDeadline(Duration timeout, ConnectionSlots slots) {
        this.timeout = timeout;
        this.slots = slots;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!slots.admit(ctx.channel())) {
            refused = true;
            ctx.channel()
                    .writeAndFlush(AdminConnection.response(
                            AdminAnswer.text(
                                    503,
                                    "too many admin connections: all "
                                            + "of them are busy with requests; try again shortly\n"),
                            false))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        // On close, at once: a connection accepted right after this one closes must find its slot free.
        ctx.channel().closeFuture().addListener(closed -> slots.remove(ctx.channel()));
        waitForClient();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof ByteBuf && ((ByteBuf) msg).isReadable()) {
            bytesSeen = true;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    /** The connection waits for its client from now on: a whole request (or the answer taken) in time. */
    void waitForClient() {
        cancel();
        bytesSeen = false;
        timer = ctx.executor().schedule(this::expire, timeout.toNanos(), TimeUnit.NANOSECONDS);
        slots.waiting(ctx.channel());
    }

    /** The connection's request is being answered: no deadline, and it is not evicted at the cap. */
    void busy() {
        cancel();
        slots.busy(ctx.channel());
    }

    /** The connection was answered and will be closed: whatever still comes is discarded, until the deadline. */
    void closing() {
        closing = true;
        waitForClient();
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expire() {
        timer = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        if (bytesSeen && !closing) {
            log.debug(
                    "Admin connection {}: no whole request within admin.request-timeout {}; closing it",
                    ctx.channel().remoteAddress(),
                    Durations.format(timeout));
            closing = true;
            ctx.channel()
                    .writeAndFlush(AdminConnection.response(
                            AdminAnswer.text(
                                    408,
                                    "request not complete within " + "admin.request-timeout "
                                            + Durations.format(timeout) + "; connection closed\n"),
                            false))
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }
}
