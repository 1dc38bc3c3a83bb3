package io.microrpc.kernel.internal.protocol;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Logs a recurring event at most once per interval, and says how many were not logged: a flood of
 * refused connections costs a line a second, not a line per connection. The events left out of one
 * interval are summed up in one more line when it ends, so the end of a burst is never silent.
 *
 * <p>Thread-safe.
 */
public final class ThrottledLog {

    private final long intervalNanos;
    private final LongConsumer summary;
    private final AtomicLong next = new AtomicLong(System.nanoTime());
    private final AtomicLong suppressed = new AtomicLong();

    /** {@code summary}: logs that {@code n} events were left out (the line of the interval's end). */
    public ThrottledLog(long interval, TimeUnit unit, LongConsumer summary) {
        this.intervalNanos = unit.toNanos(interval);
        this.summary = summary;
    }

    /**
     * Calls {@code line} with the number of events not logged since the previous line, when the
     * interval has passed since that line; otherwise counts this event as not logged, and the first
     * such event of an interval schedules the summary at its end on {@code scheduler} (an event loop).
     */
    public void log(ScheduledExecutorService scheduler, LongConsumer line) {
        long now = System.nanoTime();
        long due = next.get();
        if (now - due >= 0 && next.compareAndSet(due, now + intervalNanos)) {
            line.accept(suppressed.getAndSet(0));
        } else if (suppressed.getAndIncrement() == 0) {
            try {
                scheduler.schedule(this::summarize, Math.max(0, next.get() - now), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // Shutting down: the count goes with the next line, if any.
            }
        }
    }

    private void summarize() {
        long n = suppressed.getAndSet(0);
        if (n > 0) {
            next.set(System.nanoTime() + intervalNanos);
            summary.accept(n);
        }
    }

    /** {@code " (N more ...)"}, or empty when none were left out. */
    public static String more(long suppressed, String what) {
        return suppressed == 0 ? "" : " (" + suppressed + " more " + what + " since the previous such line)";
    }
}
