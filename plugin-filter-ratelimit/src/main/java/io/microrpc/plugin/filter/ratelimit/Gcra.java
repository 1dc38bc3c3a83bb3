package io.microrpc.plugin.filter.ratelimit;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A token bucket in one number: the generic cell rate algorithm. Each admitted call moves a
 * "theoretical arrival time" forward by the interval between calls at the configured rate; a call is
 * admitted while that time is no further than {@code burst} ahead of now. Equivalent to a bucket of
 * {@code 1 + burst / interval} tokens refilled at the rate, but lock-free and allocation-free: one CAS
 * per admitted call. Time is the kernel's ticker, in nanoseconds. Thread-safe.
 */
final class Gcra {

    private final Rate rate;
    private final long intervalNanos;
    private final long limitNanos;
    private final AtomicLong tat = new AtomicLong(Long.MIN_VALUE);

    Gcra(Rate rate, long burstNanos) {
        this.rate = rate;
        this.intervalNanos = rate.intervalNanos();
        this.limitNanos = intervalNanos + burstNanos;
    }

    Rate rate() {
        return rate;
    }

    /** True if a call at {@code now} is within the rate (and counts it), false if it must be rejected. */
    boolean tryAcquire(long now) {
        while (true) {
            long current = tat.get();
            long base = current == Long.MIN_VALUE || current - now < 0 ? now : current;
            long next = base + intervalNanos;
            if (next - now > limitNanos) {
                return false;
            }
            if (tat.compareAndSet(current, next)) {
                return true;
            }
        }
    }
}
