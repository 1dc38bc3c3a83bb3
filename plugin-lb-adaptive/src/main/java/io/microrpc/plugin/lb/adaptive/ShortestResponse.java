package io.microrpc.plugin.lb.adaptive;

import io.microrpc.spi.ClientRequestContext;
import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.LoadBalancer;
import io.microrpc.spi.PluginContext;
import io.microrpc.spi.Ticker;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.pf4j.Extension;

/**
 * Shortest expected response ({@code shortest-response}): the candidate with the lowest latency EWMA ×
 * (calls in flight + 1) ({@link Costs}), ties broken uniformly at random. Unlike {@link LeastActive} it
 * tells a node that is busy because it is slow from one that is busy because it is fast. A figure that
 * has gone stale decays ({@link StaleLatencies}, handed from a selector to the one that replaces it), so
 * a node that looked slow once is tried again after a while (Dubbo's version resets its window every
 * 30 s for the same reason). Weight 0 takes no traffic unless every candidate left has weight 0.
 *
 * <p>One pass with reservoir sampling for ties: O(n), no allocation. Thread-safe without locks.
 */
@Extension
public final class ShortestResponse implements LoadBalancer {

    private volatile Ticker ticker = Ticker.system();

    @Override
    public String name() {
        return "shortest-response";
    }

    @Override
    public void start(PluginContext context) {
        // No settings: a key addressed to it is a mistake worth reporting.
        context.config().checkKnown();
        ticker = context.ticker();
    }

    @Override
    public LoadBalancer.Selector newSelector(
            String service, List<Endpoint> candidates, LoadBalancer.Selector previous) {
        return new ShortestResponseSelector(candidates, previous, ticker);
    }

    /** The candidates and their latency observations. Thread-safe. */
    private static final class ShortestResponseSelector extends ObservingSelector {

        ShortestResponseSelector(List<Endpoint> candidates, LoadBalancer.Selector previous, Ticker ticker) {
            super(candidates, previous, ticker);
        }

        @Override
        public Endpoint select(ClientRequestContext context, Invocation invocation, Collection<Endpoint> excluded) {
            long now = ticker.nanoTime();
            ThreadLocalRandom random = ThreadLocalRandom.current();
            Endpoint chosen = pick(excluded, now, random, true);
            return chosen != null ? chosen : pick(excluded, now, random, false);
        }

        private Endpoint pick(Collection<Endpoint> excluded, long now, ThreadLocalRandom random, boolean weightedOnly) {
            boolean retry = !excluded.isEmpty();
            Endpoint chosen = null;
            double lowest = Double.POSITIVE_INFINITY;
            int tied = 0;
            for (int i = 0; i < endpoints.length; i++) {
                Endpoint e = endpoints[i];
                if ((weightedOnly && !Endpoint.hasWeight(e)) || (retry && excluded.contains(e))) {
                    continue;
                }
                double cost = Costs.of(latencies.at(i).read(e.latencyEwmaNanos(), now), e.inFlight());
                if (cost < lowest) {
                    lowest = cost;
                    chosen = e;
                    tied = 1;
                } else if (cost == lowest) {
                    tied++;
                    if (random.nextInt(tied) == 0) {
                        chosen = e;
                    }
                }
            }
            return chosen;
        }
    }
}
