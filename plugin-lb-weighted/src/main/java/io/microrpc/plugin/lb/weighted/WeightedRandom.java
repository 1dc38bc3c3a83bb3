package io.microrpc.plugin.lb.weighted;

import io.microrpc.spi.Endpoint;
import io.microrpc.spi.LoadBalancer;
import io.microrpc.spi.PluginContext;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.pf4j.Extension;

/**
 * Weighted random ({@code random}): each candidate is picked with probability proportional to its
 * effective weight, the weight after {@link Warmup} ({@code loadbalancer.random.warmup}, default 10m).
 * Weight 0 takes no traffic unless every candidate left has weight 0; then the pick is uniform.
 *
 * <p>A selector builds the table of cumulative weights ({@link WeightTable}) once, and again only when a
 * warm-up step is due; a pick is one random draw and a binary search, O(log n), no allocation. A
 * retry's pick, with candidates excluded, is a linear pass over the weights left.
 *
 * <p>Thread-safe without locks. Keeps no state from one selector to the next.
 */
@Extension
public final class WeightedRandom implements LoadBalancer {

    private volatile WeightedSettings settings = WeightedSettings.DEFAULT;

    @Override
    public String name() {
        return "random";
    }

    @Override
    public void start(PluginContext context) {
        settings = WeightedSettings.from(context);
    }

    @Override
    public LoadBalancer.Selector newSelector(
            String service, List<Endpoint> candidates, LoadBalancer.Selector previous) {
        Weights weights = new Weights(candidates.toArray(new Endpoint[0]), settings);
        return (context, invocation, excluded) -> pick(weights.current(), excluded);
    }

    private static Endpoint pick(WeightTable table, Collection<Endpoint> excluded) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return excluded.isEmpty() ? table.pick(random) : table.pick(random, excluded);
    }
}
