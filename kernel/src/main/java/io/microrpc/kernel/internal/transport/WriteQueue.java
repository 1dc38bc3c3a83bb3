package io.microrpc.kernel.internal.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPromise;
import io.netty.channel.VoidChannelPromise;
import io.netty.util.ReferenceCountUtil;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Batches writes from many threads into one flush per event-loop turn.
 *
 * <p>Calling {@code writeAndFlush} from a non-event-loop thread schedules one task and one flush
 * (one syscall) per message. Instead, callers enqueue, and at most one drain task is scheduled at a
 * time; it writes everything queued and flushes once. Under load this turns N syscalls into a few,
 * the main reason published lean RPC stacks reach most of raw Netty's throughput (grpc-java's
 * WriteQueue does the same).
 *
 * <p>Thread-safe. Frames written after the channel closed are released, silently: a client that
 * vanished with a thousand answers queued costs one log line for the closure (the transport's), not
 * one per answer. For the same reason a failed write does not fire {@code exceptionCaught}; the
 * channel closes itself on a write error.
 */
public final class WriteQueue {

    private static final int MAX_WRITES_BEFORE_FLUSH = 128;

    private final Channel channel;
    private final Queue<ByteBuf> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable drain = this::drain;
    private final ChannelPromise quiet;

    public WriteQueue(Channel channel) {
        this.channel = channel;
        this.quiet = new VoidChannelPromise(channel, false);
    }

    /** Queues {@code frame} for writing; ownership passes to the queue. */
    public void enqueue(ByteBuf frame) {
        queue.add(frame);
        if (scheduled.compareAndSet(false, true)) {
            scheduleDrain();
        }
    }

    /**
     * Runs {@link #drain} on the event loop. A loop that has shut down refuses it (a worker answering
     * after the kernel closed the transport, past server.shutdown-timeout): nothing will ever write
     * what is queued then, so it is released here instead of leaking.
     */
    private void scheduleDrain() {
        try {
            channel.eventLoop().execute(drain);
        } catch (RejectedExecutionException e) {
            scheduled.set(false);
            ByteBuf frame;
            while ((frame = queue.poll()) != null) {
                ReferenceCountUtil.release(frame);
            }
        }
    }

    private void drain() {
        try {
            int writes = 0;
            ByteBuf frame;
            while ((frame = queue.poll()) != null) {
                if (!channel.isActive()) {
                    ReferenceCountUtil.release(frame);
                    continue;
                }
                channel.write(frame, quiet);
                if (++writes == MAX_WRITES_BEFORE_FLUSH) {
                    channel.flush();
                    writes = 0;
                }
            }
            if (writes > 0) {
                channel.flush();
            }
        } finally {
            scheduled.set(false);
            if (!queue.isEmpty() && scheduled.compareAndSet(false, true)) {
                scheduleDrain();
            }
        }
    }
}
