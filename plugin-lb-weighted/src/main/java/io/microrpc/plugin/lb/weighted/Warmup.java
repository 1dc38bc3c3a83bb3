package io.microrpc.plugin.lb.weighted;

import io.microrpc.spi.Endpoint;
import io.microrpc.spi.PluginConfig;
import java.time.Duration;

/**
 * Linear warm-up: an instance that started {@code t} ago, with {@code t} less than the warm-up period,
 * gets the effective weight {@code 1 + (weight - 1) × t / period} instead of its weight, so a cold JVM
 * (empty caches, interpreted code) is not flooded the moment it registers. Measured from
 * {@link Endpoint#startTimestampMillis()} against the kernel's wall clock; an endpoint whose start time
 * is unknown (0) gets its full weight at once, as does a weight of 0 or 1.
 *
 * <p>Immutable and thread-safe.
 */
final class Warmup {

    static final Duration DEFAULT_PERIOD = Duration.ofMinutes(10);
    static final String KEY = "warmup";

    private static final Warmup OFF = new Warmup(0);

    private final long periodMillis;

    private Warmup(long periodMillis) {
        this.periodMillis = periodMillis;
    }

    /** Warm-up of {@code period}; {@link Duration#ZERO} turns it off. */
    static Warmup of(Duration period) {
        if (period.isNegative()) {
            throw new IllegalArgumentException("period: " + period + " (expected: >= 0; 0 turns warm-up off)");
        }
        return period.isZero() ? OFF : new Warmup(period.toMillis());
    }

    static Warmup off() {
        return OFF;
    }

    /** Reads {@code warmup} (default 10m) from an extension's configuration. */
    static Warmup from(PluginConfig config) {
        Duration period = config.getDuration(KEY, DEFAULT_PERIOD);
        if (period.isNegative()) {
            throw new IllegalArgumentException(
                    config.prefix() + KEY + ": '" + config.get(KEY).orElse("") + "' (expected: a "
                            + "duration >= 0 such as 10m; 0s turns warm-up off)");
        }
        return of(period);
    }

    boolean enabled() {
        return periodMillis > 0;
    }

    Duration period() {
        return Duration.ofMillis(periodMillis);
    }

    /** The weight {@code endpoint} gets at {@code nowMillis}: between 1 and its weight while it warms up. */
    int effectiveWeight(Endpoint endpoint, long nowMillis) {
        int weight = endpoint.weight();
        if (weight <= 1 || periodMillis == 0) {
            return Math.max(weight, 0);
        }
        long start = endpoint.startTimestampMillis();
        if (start <= 0) {
            return weight;
        }
        long uptime = nowMillis - start;
        if (uptime >= periodMillis) {
            return weight;
        }
        if (uptime <= 0) {
            return 1; // just started, or its clock is ahead of ours
        }
        // double: (weight - 1) × uptime overflows a long for periods of more than ~50 days
        return 1 + (int) ((weight - 1) * ((double) uptime / periodMillis));
    }

    /** True while {@code endpoint}'s effective weight still changes with time. */
    boolean isWarming(Endpoint endpoint, long nowMillis) {
        long start = endpoint.startTimestampMillis();
        return periodMillis > 0 && start > 0 && endpoint.weight() > 1 && nowMillis - start < periodMillis;
    }

    @Override
    public String toString() {
        return enabled() ? "Warmup{" + period() + '}' : "Warmup{off}";
    }
}
