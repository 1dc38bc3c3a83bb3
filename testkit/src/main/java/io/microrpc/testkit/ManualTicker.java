package io.microrpc.testkit;

import io.microrpc.spi.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Ticker} that moves only when the test says so, for time-dependent logic (warm-up, decay,
 * token buckets, timeouts) tested without waiting.
 *
 * <p>Thread-safe: a test may advance it while other threads read it. {@link #nanoTime()} does not
 * allocate. Monotonic, as {@link System#nanoTime()}: it never goes back.
 */
public final class ManualTicker implements Ticker {

    private final AtomicLong nanos;

    private ManualTicker(long startNanos) {
        this.nanos = new AtomicLong(startNanos);
    }

    /** A ticker at one second; not zero, so that code treating 0 as "never" is not fooled. */
    public static ManualTicker create() {
        return new ManualTicker(1_000_000_000L);
    }

    /** A ticker at {@code startNanos}. */
    public static ManualTicker startingAt(long startNanos) {
        return new ManualTicker(startNanos);
    }

    /** Moves the ticker forward by {@code duration}. */
    public ManualTicker advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException(
                    "duration: " + duration + " (expected: >= 0; monotonic time does not go back)");
        }
        nanos.addAndGet(duration.toNanos());
        return this;
    }

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    @Override
    public String toString() {
        return "ManualTicker{" + nanos.get() + "ns}";
    }
}
