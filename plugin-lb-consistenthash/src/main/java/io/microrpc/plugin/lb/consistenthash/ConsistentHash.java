package io.microrpc.plugin.lb.consistenthash;

import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.LoadBalancer;
import io.microrpc.spi.PluginContext;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.pf4j.Extension;

/**
 * Consistent hashing ({@code consistent-hash}): calls with the same key go to the same endpoint while
 * the candidates stay the same, and adding or removing one of N endpoints moves only about 1/N of the
 * keys. For caches in front of a shard, sticky sessions, per-tenant ordering.
 *
 * <p>Configuration, under {@code loadbalancer.consistent-hash.}: {@code virtual-nodes} (points per
 * endpoint on the {@link Ring}, default 160); {@code key.<service>/<method>} ({@code arg:0},
 * {@code arg:0,2} or {@code attachment:<name>}, see {@link KeySpec}; default the first argument);
 * {@code bounded-load-factor} (default off): with c, e.g. 1.25, an endpoint already holding more than
 * c × the average calls in flight is skipped and the ring is walked on to the next one, which keeps a
 * hot key from overloading its node (consistent hashing with bounded loads, Mirrokni et al. 2016).
 * Weight 0 takes no traffic unless every candidate has weight 0; other weights are not used.
 *
 * <p>Thread-safe without locks: per service, an immutable ring is cached ({@link RingCache}) and rebuilt
 * only when the candidates change; checking that is one pass of reference comparisons. A pick is a hash
 * of the key and a binary search, no allocation when the key is a string or an attachment; with bounded
 * load, one more pass to sum the calls in flight.
 */
@Extension
public final class ConsistentHash implements LoadBalancer {

    private final ConcurrentHashMap<String, RingCache> rings = new ConcurrentHashMap<>();
    private volatile HashSettings settings = HashSettings.DEFAULT;

    @Override
    public String name() {
        return "consistent-hash";
    }

    @Override
    public void start(PluginContext context) {
        settings = HashSettings.from(context.config());
    }

    @Override
    public Endpoint select(List<Endpoint> candidates, Invocation invocation) {
        Candidates.checkNotEmpty(candidates);
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        HashSettings s = settings;
        int position = s.keyOf(invocation.service(), invocation.methodName()).hash(invocation);
        Ring ring = ringCache(invocation.service()).ring(candidates, s.virtualNodes);
        int index = ring.locate(position);
        Endpoint primary = ring.owner(index);
        return s.boundedLoadFactor == 0 ? primary : bounded(ring, index, primary, s.boundedLoadFactor);
    }

    private RingCache ringCache(String service) {
        RingCache cache = rings.get(service);
        return cache != null ? cache : rings.computeIfAbsent(service, k -> new RingCache());
    }

    /**
     * The first endpoint clockwise from {@code index} with room for one more call: at most
     * ceil(c × (calls in flight + 1) / members) after it. Some member always has room (the least loaded
     * holds at most the average), but the counts move while we read them: if the walk finds none, the
     * primary takes the call.
     */
    private static Endpoint bounded(Ring ring, int index, Endpoint primary, double factor) {
        Endpoint[] members = ring.members();
        long total = 0;
        for (Endpoint e : members) {
            total += Math.max(e.inFlight(), 0);
        }
        long capacity = (long) Math.ceil(factor * (total + 1) / members.length);
        if (primary.inFlight() + 1 <= capacity) {
            return primary;
        }
        Endpoint rejected = primary;
        for (int step = 1, size = ring.size(); step < size; step++) {
            Endpoint e = ring.owner((index + step) % size);
            if (e != rejected) {
                if (e.inFlight() + 1 <= capacity) {
                    return e;
                }
                rejected = e;
            }
        }
        return primary;
    }
}
