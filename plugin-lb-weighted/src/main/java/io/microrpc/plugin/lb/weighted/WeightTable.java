package io.microrpc.plugin.lb.weighted;

import io.microrpc.spi.Endpoint;
import java.util.Collection;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The effective weights (after {@link Warmup}) of one selector's candidates at one moment, and their
 * running sums for an O(log n) weighted pick by binary search. Immutable, so any number of callers may
 * share one. While some candidate warms up it is valid for {@link #WARMING_REFRESH_MILLIS} only
 * ({@link #isDue}): warm-up lasts minutes, one-second steps of the ramp are plenty.
 */
final class WeightTable {

    static final long WARMING_REFRESH_MILLIS = 1_000;

    /** The candidates, in their order; shared with the selector, never changed. */
    private final Endpoint[] endpoints;

    private final int[] weights;
    private final long[] cumulative;
    private final long total;
    private final long validUntilMillis;

    private WeightTable(Endpoint[] endpoints, int[] weights, long[] cumulative, long total, long validUntilMillis) {
        this.endpoints = endpoints;
        this.weights = weights;
        this.cumulative = cumulative;
        this.total = total;
        this.validUntilMillis = validUntilMillis;
    }

    static WeightTable build(Endpoint[] endpoints, Warmup warmup, long nowMillis) {
        int n = endpoints.length;
        int[] weights = new int[n];
        long[] cumulative = new long[n];
        long total = 0;
        boolean warming = false;
        for (int i = 0; i < n; i++) {
            weights[i] = warmup.effectiveWeight(endpoints[i], nowMillis);
            total += weights[i];
            cumulative[i] = total;
            warming |= warmup.isWarming(endpoints[i], nowMillis);
        }
        return new WeightTable(
                endpoints, weights, cumulative, total, warming ? nowMillis + WARMING_REFRESH_MILLIS : Long.MAX_VALUE);
    }

    /** True while some candidate warms up: the table must then be checked against the clock. */
    boolean isWarming() {
        return validUntilMillis != Long.MAX_VALUE;
    }

    /** True when a warm-up step is due at {@code nowMillis}: the table should be built again. */
    boolean isDue(long nowMillis) {
        return nowMillis >= validUntilMillis;
    }

    /** The effective weight of candidate {@code index}; 0 for weight 0. */
    int weight(int index) {
        return weights[index];
    }

    /** A candidate with probability proportional to its effective weight; uniform if all are 0. */
    Endpoint pick(ThreadLocalRandom random) {
        if (total == 0) {
            return endpoints[random.nextInt(endpoints.length)];
        }
        long x = random.nextLong(total);
        // The first index whose cumulative weight exceeds x; a weight-0 entry never is the first.
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] > x) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return endpoints[lo];
    }

    /**
     * As {@link #pick(ThreadLocalRandom)} among the candidates not in {@code excluded} (a retry): two
     * linear passes, no allocation. At least one candidate must be left.
     */
    Endpoint pick(ThreadLocalRandom random, Collection<Endpoint> excluded) {
        long left = 0;
        for (int i = 0; i < endpoints.length; i++) {
            if (!excluded.contains(endpoints[i])) {
                left += weights[i];
            }
        }
        if (left == 0) {
            return uniform(random, excluded);
        }
        long x = random.nextLong(left);
        for (int i = 0; i < endpoints.length; i++) {
            if (weights[i] > 0 && !excluded.contains(endpoints[i])) {
                x -= weights[i];
                if (x < 0) {
                    return endpoints[i];
                }
            }
        }
        throw new AssertionError("unreachable: the weights left sum to " + left);
    }

    /** A candidate not in {@code excluded}, uniformly at random. At least one must be left. */
    Endpoint uniform(ThreadLocalRandom random, Collection<Endpoint> excluded) {
        if (excluded.isEmpty()) {
            return endpoints[random.nextInt(endpoints.length)];
        }
        int left = 0;
        for (Endpoint e : endpoints) {
            left += excluded.contains(e) ? 0 : 1;
        }
        if (left == 0) {
            throw new IllegalArgumentException("excluded: all " + endpoints.length + " candidates (expected: at "
                    + "least one left; the kernel fails the attempt before it asks a load balancer)");
        }
        int k = random.nextInt(left);
        for (Endpoint e : endpoints) {
            if (!excluded.contains(e) && k-- == 0) {
                return e;
            }
        }
        throw new AssertionError("unreachable: " + left + " candidates are left");
    }
}
