package io.microrpc.plugin.lb.adaptive;

import io.microrpc.spi.ClientRequestContext;
import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.LoadBalancer;
import io.microrpc.spi.PluginContext;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.pf4j.Extension;

/**
 * Least active ({@code least-active}): the candidate with the fewest calls in flight; among those
 * tied, one at random in proportion to its weight. A slow node accumulates calls in flight and so
 * gets fewer new ones, without any latency measurement. Weight 0 takes no traffic unless every
 * candidate left has weight 0.
 *
 * <p>One pass over the candidates with weighted reservoir sampling for the ties: O(n), no allocation.
 * Keeps no state (a selector holds only its candidates), hence thread-safe; the in-flight counts it
 * reads change concurrently, which only means two racing callers may pick the same node.
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
    public LoadBalancer.Selector newSelector(
            String service, List<Endpoint> candidates, LoadBalancer.Selector previous) {
        return new LeastActiveSelector(candidates.toArray(new Endpoint[0]));
    }

    /** Immutable. */
    private static final class LeastActiveSelector implements LoadBalancer.Selector {
        private final Endpoint[] endpoints;

        LeastActiveSelector(Endpoint[] endpoints) {
            this.endpoints = endpoints;
        }

        @Override
        public Endpoint select(ClientRequestContext context, Invocation invocation, Collection<Endpoint> excluded) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            Endpoint chosen = pick(excluded, random, true);
            return chosen != null ? chosen : pick(excluded, random, false);
        }

        /** With {@code weightedOnly}, weight-0 endpoints are skipped; otherwise every endpoint counts as weight 1. */
        private Endpoint pick(Collection<Endpoint> excluded, ThreadLocalRandom random, boolean weightedOnly) {
            boolean retry = !excluded.isEmpty();
            Endpoint chosen = null;
            int least = Integer.MAX_VALUE;
            long tiedWeight = 0;
            for (Endpoint e : endpoints) {
                int weight = weightedOnly ? e.weight() : 1;
                if (weight <= 0 || (retry && excluded.contains(e))) {
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
}
