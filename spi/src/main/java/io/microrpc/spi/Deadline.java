package io.microrpc.spi;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * An absolute point on a {@link Ticker}'s time line by which a call must complete. It travels to the
 * server as the time remaining, so clocks of different machines never need to agree. Immutable.
 */
public final class Deadline implements Comparable<Deadline> {

    private final Ticker ticker;
    private final long deadlineNanos;

    private Deadline(Ticker ticker, long deadlineNanos) {
        this.ticker = ticker;
        this.deadlineNanos = deadlineNanos;
    }

    /** A deadline {@code timeout} from now on {@code ticker}. */
    public static Deadline after(Duration timeout, Ticker ticker) {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(ticker, "ticker");
        long nanos = saturatedNanos(timeout);
        return new Deadline(ticker, ticker.nanoTime() + nanos);
    }

    /** A deadline {@code nanos} from now on {@code ticker}. */
    public static Deadline afterNanos(long nanos, Ticker ticker) {
        Objects.requireNonNull(ticker, "ticker");
        return new Deadline(ticker, ticker.nanoTime() + nanos);
    }

    /** Nanoseconds left before the deadline; zero or negative once it has passed. */
    public long remainingNanos() {
        return deadlineNanos - ticker.nanoTime();
    }

    public long remaining(TimeUnit unit) {
        return unit.convert(remainingNanos(), TimeUnit.NANOSECONDS);
    }

    public boolean isExpired() {
        return remainingNanos() <= 0;
    }

    /** The earlier of this deadline and {@code other}. */
    public Deadline minimum(Deadline other) {
        return compareTo(other) <= 0 ? this : other;
    }

    @Override
    public int compareTo(Deadline other) {
        return Long.compare(deadlineNanos - other.deadlineNanos, 0);
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return d.isNegative() ? Long.MIN_VALUE / 2 : Long.MAX_VALUE / 2;
        }
    }

    @Override
    public String toString() {
        return "Deadline{remaining=" + Duration.ofNanos(remainingNanos()) + '}';
    }
}
