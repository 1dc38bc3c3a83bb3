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
 * Power of two choices with peak-EWMA latency ({@code p2c}), as in Finagle and Linkerd: draw two
 * distinct candidates at random and take the cheaper, cost = peak EWMA × (calls in flight + 1)
 * ({@link Costs}). The peak EWMA jumps up at once when a node turns slow, so a slow node is avoided
 * within a call or two; a figure that has gone stale decays ({@link StaleLatencies}, handed from a
 * selector to the one that replaces it), so a node is tried again after a while. Sampling two instead
 * of scanning all keeps a pick O(1) and avoids the herd behaviour of "always the best" (every client
 * piling onto the same node). An unmeasured idle node costs 0, so new nodes get probed. The recommended
 * default for fleets of unequal nodes.
 *
 * <p>Weight 0 takes no traffic: a drawn weight-0 node loses; if both drawn have weight 0, the cheapest
 * node with weight is found by a scan (every node, if none has weight). A retry draws its two among the
 * candidates not excluded.
 *
 * <p>Thread-safe without locks. A first attempt's pick is O(1) without allocation; a retry's is O(n).
 */
@Extension
public final class PowerOfTwoChoices implements LoadBalancer {

    private volatile Ticker ticker = Ticker.system();

    @Override
    public String name() {
        return "p2c";
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
        return new P2cSelector(candidates, previous, ticker);
    }

    /** The candidates and their latency observations. Thread-safe. */
    private static final class P2cSelector extends ObservingSelector {

        P2cSelector(List<Endpoint> candidates, LoadBalancer.Selector previous, Ticker ticker) {
            super(candidates, previous, ticker);
        }

        @Override
        public Endpoint select(ClientRequestContext context, Invocation invocation, Collection<Endpoint> excluded) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            int i;
            int j;
            if (excluded.isEmpty()) {
                int n = endpoints.length;
                i = random.nextInt(n);
                j = random.nextInt(n - 1);
            } else {
                int left = 0;
                for (Endpoint e : endpoints) {
                    left += excluded.contains(e) ? 0 : 1;
                }
                if (left < 2) {
                    return nth(0, excluded);
                }
                i = random.nextInt(left);
                j = random.nextInt(left - 1);
            }
            if (j >= i) {
                j++;
            }
            if (!excluded.isEmpty()) {
                i = indexOfNth(i, excluded);
                j = indexOfNth(j, excluded);
            }
            Endpoint a = endpoints[i];
            Endpoint b = endpoints[j];
            boolean aLive = Endpoint.hasWeight(a);
            boolean bLive = Endpoint.hasWeight(b);
            if (aLive && bLive) {
                long now = ticker.nanoTime();
                // On a tie a wins; a is itself a uniform draw, so ties stay unbiased.
                return cost(i, now) <= cost(j, now) ? a : b;
            }
            if (aLive || bLive) {
                return aLive ? a : b;
            }
            return cheapestLive(excluded, ticker.nanoTime(), a);
        }

        private double cost(int index, long now) {
            Endpoint e = endpoints[index];
            return Costs.of(latencies.at(index).read(e.peakEwmaNanos(), now), e.inFlight());
        }

        /** The index of the {@code n}-th (from 0) candidate not in {@code excluded}. */
        private int indexOfNth(int n, Collection<Endpoint> excluded) {
            int seen = 0;
            for (int k = 0; k < endpoints.length; k++) {
                if (!excluded.contains(endpoints[k]) && seen++ == n) {
                    return k;
                }
            }
            throw new IllegalArgumentException("excluded: " + excluded.size() + " endpoints leave fewer than "
                    + (n + 1) + " of " + endpoints.length + " candidates (expected: at least one left; the kernel "
                    + "fails the attempt before it asks a load balancer)");
        }

        private Endpoint nth(int n, Collection<Endpoint> excluded) {
            return endpoints[indexOfNth(n, excluded)];
        }

        private Endpoint cheapestLive(Collection<Endpoint> excluded, long now, Endpoint fallback) {
            Endpoint best = null;
            double lowest = Double.POSITIVE_INFINITY;
            for (int k = 0; k < endpoints.length; k++) {
                Endpoint e = endpoints[k];
                if (Endpoint.hasWeight(e) && (excluded.isEmpty() || !excluded.contains(e))) {
                    double c = cost(k, now);
                    if (best == null || c < lowest) {
                        best = e;
                        lowest = c;
                    }
                }
            }
            return best != null ? best : fallback;
        }
    }
}
