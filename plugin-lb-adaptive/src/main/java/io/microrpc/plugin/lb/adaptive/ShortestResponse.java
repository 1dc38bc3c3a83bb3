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
 * Shortest expected response ({@code shortest-response}): the candidate with the lowest latency EWMA ×
 * (calls in flight + 1) ({@link Costs}), ties broken uniformly at random. Unlike {@link LeastActive} it
 * tells a node that is busy because it is slow from one that is busy because it is fast. A figure that
 * has gone stale decays ({@link StaleLatencies}), so a node that looked slow once is tried again after
 * a while (Dubbo's version resets its window every 30 s for the same reason). Weight 0 takes no traffic
 * unless every candidate has weight 0.
 *
 * <p>One pass with reservoir sampling for ties: O(n), no allocation while the candidates stay the same.
 * Thread-safe without locks.
 */
@Extension
public final class ShortestResponse implements LoadBalancer {

    private final PerService<StaleLatencies> latencies = new PerService<>(s -> new StaleLatencies());
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
    public Endpoint select(List<Endpoint> candidates, Invocation invocation) {
        Candidates.checkNotEmpty(candidates);
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        StaleLatencies.Slots slots = latencies.get(invocation.service()).forAll(candidates);
        long now = ticker.nanoTime();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        Endpoint chosen = pick(candidates, slots, now, random, true);
        return chosen != null ? chosen : pick(candidates, slots, now, random, false);
    }

    private static Endpoint pick(
            List<Endpoint> candidates,
            StaleLatencies.Slots slots,
            long now,
            ThreadLocalRandom random,
            boolean liveOnly) {
        Endpoint chosen = null;
        double lowest = Double.POSITIVE_INFINITY;
        int tied = 0;
        for (int i = 0, n = candidates.size(); i < n; i++) {
            Endpoint e = candidates.get(i);
            if (liveOnly && !Candidates.live(e)) {
                continue;
            }
            double cost = Costs.of(slots.observations[i].read(e.latencyEwmaNanos(), now), e.inFlight());
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
