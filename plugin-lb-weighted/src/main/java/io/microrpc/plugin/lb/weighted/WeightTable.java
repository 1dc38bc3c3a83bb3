package io.microrpc.plugin.lb.weighted;

import io.microrpc.spi.Endpoint;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Cumulative effective weights of one candidate list, for an O(log n) weighted pick by binary search.
 * Immutable, so any number of callers may share one; it is rebuilt when the candidates or a weight
 * change, and, while some candidate warms up, at most {@link #WARMING_REFRESH_MILLIS} after it was built
 * (warm-up lasts minutes; one-second steps of the ramp are plenty).
 */
final class WeightTable {

    static final long WARMING_REFRESH_MILLIS = 1_000;

    static final WeightTable EMPTY = new WeightTable(new Endpoint[0], new int[0], new long[0], 0, Long.MAX_VALUE);

    private final Endpoint[] endpoints;
    /** Each endpoint's configured weight when the table was built, to notice a change. */
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

    static WeightTable build(List<Endpoint> candidates, Warmup warmup, long nowMillis) {
        Endpoint[] endpoints = candidates.toArray(new Endpoint[0]);
        int n = endpoints.length;
        int[] weights = new int[n];
        long[] cumulative = new long[n];
        long total = 0;
        boolean warming = false;
        for (int i = 0; i < n; i++) {
            weights[i] = endpoints[i].weight();
            total += warmup.effectiveWeight(endpoints[i], nowMillis);
            cumulative[i] = total;
            warming |= warmup.isWarming(endpoints[i], nowMillis);
        }
        return new WeightTable(
                endpoints, weights, cumulative, total, warming ? nowMillis + WARMING_REFRESH_MILLIS : Long.MAX_VALUE);
    }

    /**
     * True when this table describes {@code candidates} at {@code nowMillis}: the same objects in the
     * same order with the same weights, and no warm-up step due. One pass of reference and int
     * comparisons; the kernel hands a fresh list per call, so list identity cannot be used.
     */
    boolean matches(List<Endpoint> candidates, long nowMillis) {
        int n = endpoints.length;
        if (nowMillis >= validUntilMillis || candidates.size() != n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            Endpoint e = candidates.get(i);
            if (e != endpoints[i] || e.weight() != weights[i]) {
                return false;
            }
        }
        return true;
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
}
