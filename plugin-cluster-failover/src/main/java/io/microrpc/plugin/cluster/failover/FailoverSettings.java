package io.microrpc.plugin.cluster.failover;

import io.microrpc.spi.PluginConfig;
import java.time.Duration;

/**
 * The {@code cluster.failover.*} keys, parsed once. Immutable. Every invalid value fails {@link #parse}
 * with the full key, the value and what was expected; docs/FAULT-TOLERANCE.md lists the keys.
 */
final class FailoverSettings {

    final int retries;
    final long backoffInitialNanos;
    final long backoffMaxNanos;
    final double budgetRatio;
    final int budgetMinimum;
    final int breakerFailures;
    final long breakerOpenNanos;

    private FailoverSettings(PluginConfig c) {
        c.checkKnown(
                "retries",
                "backoff-initial",
                "backoff-max",
                "budget-ratio",
                "budget-minimum",
                "breaker-failures",
                "breaker-open");
        retries = c.getInt("retries", 2);
        if (retries < 0 || retries > 10) {
            throw c.invalid("retries", String.valueOf(retries), "0-10 retries after the first attempt");
        }
        Duration initial = c.getDuration("backoff-initial", Duration.ofMillis(5));
        Duration max = c.getDuration("backoff-max", Duration.ofMillis(200));
        if (initial.isNegative()) {
            throw c.invalid("backoff-initial", initial.toString(), ">= 0, e.g. 5ms; 0 retries at once");
        }
        if (max.compareTo(initial) < 0) {
            throw c.invalid("backoff-max", max.toString(), ">= backoff-initial (" + initial + ")");
        }
        backoffInitialNanos = initial.toNanos();
        backoffMaxNanos = max.toNanos();
        budgetRatio = c.getDouble("budget-ratio", 0.2);
        if (!(budgetRatio >= 0 && budgetRatio <= 1)) {
            throw c.invalid("budget-ratio", c.getString("budget-ratio", ""), "a number between 0 and 1, e.g. 0.2");
        }
        budgetMinimum = c.getInt("budget-minimum", 10);
        if (budgetMinimum < 0) {
            throw c.invalid("budget-minimum", String.valueOf(budgetMinimum), ">= 0");
        }
        breakerFailures = c.getInt("breaker-failures", 5);
        if (breakerFailures < 0) {
            throw c.invalid(
                    "breaker-failures", String.valueOf(breakerFailures), ">= 0; 0 turns the circuit breakers off");
        }
        Duration open = c.getDuration("breaker-open", Duration.ofSeconds(10));
        if (open.isNegative() || open.isZero()) {
            throw c.invalid("breaker-open", open.toString(), "a positive duration such as 10s");
        }
        breakerOpenNanos = open.toNanos();
    }

    static FailoverSettings parse(PluginConfig config) {
        return new FailoverSettings(config);
    }
}
