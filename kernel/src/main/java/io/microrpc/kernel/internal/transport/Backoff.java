package io.microrpc.kernel.internal.transport;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with ±20% jitter, so that clients of a restarted server do not reconnect in
 * lock-step. Not thread-safe: one per connection, used on its event loop.
 */
public final class Backoff {

    private final long initialNanos;
    private final long maxNanos;
    private long nextNanos;

    public Backoff(Duration initial, Duration max) {
        this.initialNanos = initial.toNanos();
        this.maxNanos = max.toNanos();
        this.nextNanos = initialNanos;
    }

    /** The delay before the next attempt; each call doubles the base up to the maximum. */
    public long nextDelayNanos() {
        long base = nextNanos;
        nextNanos = Math.min(maxNanos, nextNanos * 2);
        double jitter = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
        return Math.min(maxNanos, (long) (base * jitter));
    }

    public void reset() {
        nextNanos = initialNanos;
    }
}
