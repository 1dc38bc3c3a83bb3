package io.microrpc.kernel.internal.protocol;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Logs a recurring event at most once per interval, and says how many were not logged since. A flood
 * of refused connections then costs one line a second, not one line per connection.
 *
 * <p>Thread-safe.
 */
public final class ThrottledLog {

    private final long intervalNanos;
    private final AtomicLong next = new AtomicLong(System.nanoTime());
    private final AtomicLong suppressed = new AtomicLong();

    public ThrottledLog(long interval, TimeUnit unit) {
        this.intervalNanos = unit.toNanos(interval);
    }

    /**
     * Calls {@code line} with the number of events not logged since the previous line, when the
     * interval has passed since that line; otherwise counts this event as not logged.
     */
    public void log(LongConsumer line) {
        long now = System.nanoTime();
        long due = next.get();
        if (now - due >= 0 && next.compareAndSet(due, now + intervalNanos)) {
            line.accept(suppressed.getAndSet(0));
        } else {
            suppressed.incrementAndGet();
        }
    }

    /** {@code " (N more in the last second)"}, or empty when none were left out. */
    public static String more(long suppressed, String what) {
        return suppressed == 0 ? "" : " (" + suppressed + " more " + what + " since the previous such line)";
    }
}
