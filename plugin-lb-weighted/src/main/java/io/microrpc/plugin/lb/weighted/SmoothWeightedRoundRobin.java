package io.microrpc.plugin.lb.weighted;

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
 * Smooth weighted round robin, nginx's algorithm ({@code round-robin}): on every pick each candidate's
 * counter grows by its effective weight, the one with the highest counter wins (the first in candidate
 * order on a tie) and its counter drops by the sum of the weights. Weights 5, 1, 1 give exactly
 * {@code a a b a c a a} per cycle: the heavy node's turns are spread out instead of bunched.
 *
 * <p>Counters are kept per address and handed from a selector to the one that replaces it
 * ({@link RoundRobinCounters}): a weight change, a reconnect or a node leaving does not reset the other
 * nodes' counters (Dubbo resets them, which restarts every cycle). Weights go through {@link Warmup}
 * ({@code loadbalancer.round-robin.warmup}, default 10m). Weight 0 takes no traffic unless every
 * candidate left has weight 0; then the pick is uniform. A retry's excluded candidates take part in
 * nothing: their counters neither grow nor drop.
 *
 * <p>Thread-safe without a lock: each counter is an {@code AtomicLong}. One caller alone gets the exact
 * nginx sequence. Callers racing may both see the same leader before either lowers it, so the
 * short-term order can deviate; but each pick adds and removes the same total, so the counters stay
 * bounded and the long-run shares are the weights. A lock would keep the exact order under
 * concurrency at the price of serializing every caller of the service through it; load balancing
 * needs the shares, not the order. No allocation per pick.
 */
@Extension
public final class SmoothWeightedRoundRobin implements LoadBalancer {

    private volatile WeightedSettings settings = WeightedSettings.DEFAULT;

    @Override
    public String name() {
        return "round-robin";
    }

    @Override
    public void start(PluginContext context) {
        settings = WeightedSettings.from(context);
    }

    @Override
    public LoadBalancer.Selector newSelector(
            String service, List<Endpoint> candidates, LoadBalancer.Selector previous) {
        WeightedSettings s = settings;
        Endpoint[] endpoints = candidates.toArray(new Endpoint[0]);
        RoundRobinCounters carried = previous instanceof RoundRobinSelector p ? p.counters : null;
        return new RoundRobinSelector(
                endpoints, new Weights(endpoints, s), RoundRobinCounters.of(candidates, carried, s.ticker.nanoTime()));
    }

    /** The counters and weights of one candidate list. Thread-safe. */
    static final class RoundRobinSelector implements LoadBalancer.Selector {
        private final Endpoint[] endpoints;
        private final Weights weights;
        final RoundRobinCounters counters;

        RoundRobinSelector(Endpoint[] endpoints, Weights weights, RoundRobinCounters counters) {
            this.endpoints = endpoints;
            this.weights = weights;
            this.counters = counters;
        }

        @Override
        public Endpoint select(ClientRequestContext context, Invocation invocation, Collection<Endpoint> excluded) {
            WeightTable table = weights.current();
            RoundRobinCounters.Counter[] cs = counters.counters;
            boolean retry = !excluded.isEmpty();
            long total = 0;
            int best = -1;
            long bestCurrent = Long.MIN_VALUE;
            for (int i = 0; i < endpoints.length; i++) {
                int weight = table.weight(i);
                if (weight == 0 || (retry && excluded.contains(endpoints[i]))) {
                    continue;
                }
                long current = cs[i].current.addAndGet(weight);
                total += weight;
                if (current > bestCurrent) {
                    best = i;
                    bestCurrent = current;
                }
            }
            if (best < 0) {
                return table.uniform(ThreadLocalRandom.current(), excluded);
            }
            cs[best].current.addAndGet(-total);
            return endpoints[best];
        }
    }
}
