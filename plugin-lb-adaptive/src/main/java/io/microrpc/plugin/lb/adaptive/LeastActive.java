package io.microrpc.plugin.lb.adaptive;

import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.LoadBalancer;
import io.microrpc.spi.PluginContext;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.pf4j.Extension;

/**
 * Least active ({@code least-active}): the candidate with the fewest calls in flight; among those
 * tied, one at random in proportion to its weight. A slow node accumulates calls in flight and so
 * gets fewer new ones, without any latency measurement. Weight 0 takes no traffic unless every
 * candidate has weight 0.
 *
 * <p>One pass over the candidates with weighted reservoir sampling for the ties: O(n), no allocation.
 * Stateless, hence thread-safe; the in-flight counts it reads change concurrently, which only means two
 * racing callers may pick the same node.
 */
@Extension
public final class LeastActive implements LoadBalancer {

    @Override
    public String name() {
        return "least-active";
    }

    @Override
    public void start(PluginContext context) {
        // No settings: a key addressed to it is a mistake worth reporting.
        context.config().checkKnown();
    }

    @Override
    public Endpoint select(List<Endpoint> candidates, Invocation invocation) {
        Candidates.checkNotEmpty(candidates);
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        Endpoint chosen = pick(candidates, random, true);
        return chosen != null ? chosen : pick(candidates, random, false);
    }

    /** With {@code liveOnly}, weight-0 endpoints are skipped; otherwise every endpoint counts as weight 1. */
    private static Endpoint pick(List<Endpoint> candidates, ThreadLocalRandom random, boolean liveOnly) {
        Endpoint chosen = null;
        int least = Integer.MAX_VALUE;
        long tiedWeight = 0;
        for (int i = 0, n = candidates.size(); i < n; i++) {
            Endpoint e = candidates.get(i);
            int weight = liveOnly ? e.weight() : 1;
            if (weight <= 0) {
                continue;
            }
            int active = e.inFlight();
            if (active < least) {
                least = active;
                chosen = e;
                tiedWeight = weight;
            } else if (active == least) {
                // Weighted reservoir sampling: each tied endpoint ends up chosen with probability weight / sum.
                tiedWeight += weight;
                if (random.nextLong(tiedWeight) < weight) {
                    chosen = e;
                }
            }
        }
        return chosen;
    }
}
