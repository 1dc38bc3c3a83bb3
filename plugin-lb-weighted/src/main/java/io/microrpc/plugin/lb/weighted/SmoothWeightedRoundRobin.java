package io.microrpc.plugin.lb.weighted;

import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.LoadBalancer;
import io.microrpc.spi.PluginContext;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.pf4j.Extension;

/**
 * Smooth weighted round robin, nginx's algorithm ({@code round-robin}): on every pick each candidate's
 * counter grows by its effective weight, the one with the highest counter wins (the first in candidate
 * order on a tie) and its counter drops by the sum of the weights. Weights 5, 1, 1 give exactly
 * {@code a a b a c a a} per cycle: the heavy node's turns are spread out instead of bunched.
 *
 * <p>Counters are kept per service and per address ({@link RoundRobinState}): a weight change, a
 * reconnect or a node leaving does not reset the other nodes' counters (Dubbo resets them, which
 * restarts every cycle). Weights go through {@link Warmup} ({@code loadbalancer.round-robin.warmup},
 * default 10m). Weight 0 takes no traffic unless every candidate has weight 0; then the pick is uniform.
 *
 * <p>Thread-safe without a lock: each counter is an {@code AtomicLong}. One caller alone gets the exact
 * nginx sequence. Callers racing may both see the same leader before either lowers it, so the
 * short-term order can deviate; but each pick adds and removes the same total, so the counters stay
 * bounded and the long-run shares are the weights. A lock would keep the exact order under
 * concurrency at the price of serializing every caller of the service through it; load balancing
 * needs the shares, not the order. No allocation per pick unless the candidates changed.
 */
@Extension
public final class SmoothWeightedRoundRobin implements LoadBalancer {

    private final PerService<RoundRobinState> states = new PerService<>(s -> new RoundRobinState());
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
    public Endpoint select(List<Endpoint> candidates, Invocation invocation) {
        Candidates.checkNotEmpty(candidates);
        int n = candidates.size();
        if (n == 1) {
            return candidates.get(0);
        }
        WeightedSettings s = settings;
        RoundRobinState.Snapshot snapshot = states.get(invocation.service()).snapshot(candidates, s.ticker);
        Endpoint[] endpoints = snapshot.endpoints;
        RoundRobinState.Counter[] counters = snapshot.counters;
        Warmup warmup = s.warmup;
        long now = s.nowMillisIfWarming();
        long total = 0;
        int best = -1;
        long bestCurrent = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            int weight = warmup.effectiveWeight(endpoints[i], now);
            if (weight == 0) {
                continue;
            }
            long current = counters[i].current.addAndGet(weight);
            total += weight;
            if (current > bestCurrent) {
                best = i;
                bestCurrent = current;
            }
        }
        if (best < 0) {
            return endpoints[ThreadLocalRandom.current().nextInt(n)];
        }
        counters[best].current.addAndGet(-total);
        return endpoints[best];
    }

    /** Counters tracked for {@code service}, for tests. */
    int trackedAddresses(String service) {
        return states.get(service).trackedAddresses();
    }
}
