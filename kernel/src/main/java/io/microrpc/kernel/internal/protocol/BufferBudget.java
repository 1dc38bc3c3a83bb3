package io.microrpc.kernel.internal.protocol;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes the server may hold for frames that have not fully arrived, across all its connections
 * ({@code server.max-buffered-bytes}). A decoder reserves a large frame's declared length when its
 * header arrives and gives it back when the frame is complete or the connection closes, so a crowd of
 * clients that each start an 8 MiB frame and trickle it cannot exhaust memory.
 *
 * <p>Thread-safe.
 */
public final class BufferBudget {

    private final long max;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    public BufferBudget(long max) {
        this.max = max;
    }

    /** Takes {@code bytes} from the budget; false (and nothing taken) when that would pass the maximum. */
    public boolean tryReserve(long bytes) {
        long u;
        do {
            u = used.get();
            if (u + bytes > max) {
                refused.incrementAndGet();
                return false;
            }
        } while (!used.compareAndSet(u, u + bytes));
        return true;
    }

    public void release(long bytes) {
        used.addAndGet(-bytes);
    }

    public long max() {
        return max;
    }

    /** Bytes reserved now. */
    public long used() {
        return used.get();
    }

    /** Frames refused so far because the budget was spent. */
    public long refused() {
        return refused.get();
    }
}
