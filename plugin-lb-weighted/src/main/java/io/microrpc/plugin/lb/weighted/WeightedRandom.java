package io.microrpc.plugin.lb.weighted;

import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.LoadBalancer;
import io.microrpc.spi.PluginContext;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.pf4j.Extension;

/**
 * Weighted random ({@code random}): each candidate is picked with probability proportional to its
 * effective weight, the weight after {@link Warmup} ({@code loadbalancer.random.warmup}, default 10m).
 * Weight 0 takes no traffic unless every candidate has weight 0; then the pick is uniform.
 *
 * <p>The pick is a binary search over cumulative weights ({@link WeightTable}), cached per service and
 * rebuilt only when the candidates or their weights change (or a warm-up step is due). Checking that
 * the cached table still fits is one linear pass of reference and int comparisons, which the kernel's
 * fresh list per call makes unavoidable, but it does no arithmetic, no random draw and no allocation.
 *
 * <p>Thread-safe without locks: tables are immutable and published through a volatile field; two
 * callers that both see a change may both build a table, and the last one wins.
 */
@Extension
public final class WeightedRandom implements LoadBalancer {

    private final PerService<Holder> tables = new PerService<>(s -> new Holder());
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
    public Endpoint select(List<Endpoint> candidates, Invocation invocation) {
        Candidates.checkNotEmpty(candidates);
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        WeightedSettings s = settings;
        long now = s.nowMillisIfWarming();
        Holder holder = tables.get(invocation.service());
        WeightTable table = holder.table;
        if (!table.matches(candidates, now)) {
            table = WeightTable.build(candidates, s.warmup, now);
            holder.table = table;
        }
        return table.pick(ThreadLocalRandom.current());
    }

    /** The current table of one service. */
    private static final class Holder {
        volatile WeightTable table = WeightTable.EMPTY;
    }
}
