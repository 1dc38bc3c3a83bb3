package io.microrpc.kernel.internal.protocol;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server's limits on frames still arriving, shared by all its connections' {@link FrameDecoder}s,
 * with the counts of what they closed:
 * <ul>
 *   <li>bytes held for incomplete frames ({@code server.max-buffered-bytes}): a decoder reserves a
 *       large frame's declared length when its header arrives and gives it back when the frame is
 *       complete or the connection closes, so a crowd of clients that each start an 8 MiB frame and
 *       trickle it cannot exhaust memory;</li>
 *   <li>the time to finish a frame once its first bytes arrived ({@code server.frame-timeout}).</li>
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class FrameLimits {

    private final long maxBufferedBytes;
    private final Duration frameTimeout;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();

    public FrameLimits(long maxBufferedBytes, Duration frameTimeout) {
        this.maxBufferedBytes = maxBufferedBytes;
        this.frameTimeout = frameTimeout;
    }

    /** Takes {@code bytes} from the budget; false (and nothing taken) when that would pass the maximum. */
    public boolean tryReserve(long bytes) {
        long u;
        do {
            u = used.get();
            if (u + bytes > maxBufferedBytes) {
                refused.incrementAndGet();
                return false;
            }
        } while (!used.compareAndSet(u, u + bytes));
        return true;
    }

    public void release(long bytes) {
        used.addAndGet(-bytes);
    }

    public long maxBufferedBytes() {
        return maxBufferedBytes;
    }

    /** The time a frame has to arrive whole once its first bytes came; null for no limit. */
    public Duration frameTimeout() {
        return frameTimeout;
    }

    /** Bytes reserved now. */
    public long bufferedBytes() {
        return used.get();
    }

    /** Frames refused so far because the budget was spent. */
    public long refused() {
        return refused.get();
    }

    void timedOut() {
        timedOut.incrementAndGet();
    }

    /** Connections closed so far because a frame did not arrive whole in time. */
    public long timeouts() {
        return timedOut.get();
    }
}
