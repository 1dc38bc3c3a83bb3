package io.microrpc.plugin.lb.adaptive;

import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.LoadBalancer;
import io.microrpc.spi.PluginContext;
import io.microrpc.spi.Ticker;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.pf4j.Extension;

/**
 * Power of two choices with peak-EWMA latency ({@code p2c}), as in Finagle and Linkerd: draw two
 * distinct candidates at random and take the cheaper, cost = peak EWMA × (calls in flight + 1)
 * ({@link Costs}). The peak EWMA jumps up at once when a node turns slow, so a slow node is avoided
 * within a call or two; a figure that has gone stale decays ({@link StaleLatencies}), so a node is
 * tried again after a while. Sampling two instead of scanning all keeps a pick O(1) and avoids the herd
 * behaviour of "always the best" (every client piling onto the same node). An unmeasured idle node
 * costs 0, so new nodes get probed. The recommended default for fleets of unequal nodes.
 *
 * <p>Weight 0 takes no traffic: a drawn weight-0 node loses; if both drawn have weight 0, the cheapest
 * node with weight is found by a scan (every node, if none has weight).
 *
 * <p>Thread-safe without locks; O(1) and no allocation per pick while the candidates stay the same.
 */
@Extension
public final class PowerOfTwoChoices implements LoadBalancer {

    private final PerService<StaleLatencies> latencies = new PerService<>(s -> new StaleLatencies());
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
    public Endpoint select(List<Endpoint> candidates, Invocation invocation) {
        Candidates.checkNotEmpty(candidates);
        int n = candidates.size();
        if (n == 1) {
            return candidates.get(0);
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int i = random.nextInt(n);
        int j = random.nextInt(n - 1);
        if (j >= i) {
            j++;
        }
        Endpoint a = candidates.get(i);
        Endpoint b = candidates.get(j);
        boolean aLive = Candidates.live(a);
        boolean bLive = Candidates.live(b);
        if (aLive && bLive) {
            StaleLatencies.Slots slots = latencies.get(invocation.service()).forPair(candidates, i, j);
            long now = ticker.nanoTime();
            // On a tie a wins; a is itself a uniform draw, so ties stay unbiased.
            return cost(a, slots.observations[i], now) <= cost(b, slots.observations[j], now) ? a : b;
        }
        if (aLive || bLive) {
            return aLive ? a : b;
        }
        return cheapestLive(candidates, latencies.get(invocation.service()).forAll(candidates), ticker.nanoTime(), a);
    }

    private static double cost(Endpoint e, StaleLatencies.Observation seen, long now) {
        return Costs.of(seen.read(e.peakEwmaNanos(), now), e.inFlight());
    }

    private static Endpoint cheapestLive(
            List<Endpoint> candidates, StaleLatencies.Slots slots, long now, Endpoint fallback) {
        Endpoint best = null;
        double lowest = Double.POSITIVE_INFINITY;
        for (int k = 0, n = candidates.size(); k < n; k++) {
            Endpoint e = candidates.get(k);
            if (Candidates.live(e)) {
                double c = cost(e, slots.observations[k], now);
                if (best == null || c < lowest) {
                    best = e;
                    lowest = c;
                }
            }
        }
        return best != null ? best : fallback;
    }
}
