package io.microrpc.plugin.lb.consistenthash;

import io.microrpc.spi.ClientRequestContext;
import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.LoadBalancer;
import io.microrpc.spi.PluginContext;
import java.util.Collection;
import java.util.List;
import java.util.Map;
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
 * Weight 0 takes no traffic unless every candidate left has weight 0; other weights are not used.
 *
 * <p>A retry walks the ring on from the key's point past the excluded endpoints, to the endpoint the
 * key would have on a ring without them: the same minimal remapping as removing them.
 *
 * <p>Thread-safe without locks. A selector builds its ring once; a pick is a hash of the key and a
 * binary search, no allocation when the key is a string or an attachment; with bounded load, one more
 * pass to sum the calls in flight.
 */
@Extension
public final class ConsistentHash implements LoadBalancer {

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
    public LoadBalancer.Selector newSelector(
            String service, List<Endpoint> candidates, LoadBalancer.Selector previous) {
        HashSettings s = settings;
        Endpoint[] endpoints = candidates.toArray(new Endpoint[0]);
        return new RingSelector(
                endpoints, Ring.of(endpoints, s.virtualNodes), s.virtualNodes, s.keysOf(service), s.boundedLoadFactor);
    }

    /** The ring of one candidate list. Thread-safe. */
    private static final class RingSelector implements LoadBalancer.Selector {
        private final Endpoint[] candidates;
        private final Ring ring;
        private final int virtualNodes;
        /** The service's configured keys, by method name. */
        private final Map<String, KeySpec> keys;
        /** 0 when off. */
        private final double boundedLoadFactor;
        /** The ring of every candidate, built when a retry has excluded every member of {@link #ring}. */
        private volatile Ring everyone;

        RingSelector(
                Endpoint[] candidates,
                Ring ring,
                int virtualNodes,
                Map<String, KeySpec> keys,
                double boundedLoadFactor) {
            this.candidates = candidates;
            this.ring = ring;
            this.virtualNodes = virtualNodes;
            this.keys = keys;
            this.boundedLoadFactor = boundedLoadFactor;
        }

        @Override
        public Endpoint select(ClientRequestContext context, Invocation invocation, Collection<Endpoint> excluded) {
            KeySpec key = keys.getOrDefault(invocation.methodName(), KeySpec.DEFAULT);
            int position = key.hash(invocation);
            if (excluded.isEmpty() && boundedLoadFactor == 0) {
                return ring.owner(ring.locate(position));
            }
            Ring r = ring;
            if (!excluded.isEmpty() && !anyLeft(r.members(), excluded)) {
                // Only candidates with weight 0 are left; the call must go somewhere.
                r = everyone();
                if (!anyLeft(r.members(), excluded)) {
                    throw new IllegalArgumentException("excluded: all " + candidates.length + " candidates "
                            + "(expected: at least one left; the kernel fails the attempt before it asks a load "
                            + "balancer)");
                }
            }
            return walk(r, r.locate(position), excluded);
        }

        private Ring everyone() {
            Ring all = everyone;
            if (all == null) {
                all = Ring.ofAll(candidates, virtualNodes);
                everyone = all;
            }
            return all;
        }

        private static boolean anyLeft(Endpoint[] members, Collection<Endpoint> excluded) {
            for (Endpoint e : members) {
                if (!excluded.contains(e)) {
                    return true;
                }
            }
            return false;
        }

        /**
         * The first endpoint clockwise from {@code index} that is not excluded and, with bounded load,
         * has room for one more call: at most ceil(c × (calls in flight + 1) / members) after it, counted
         * over the members not excluded. Some member always has room (the least loaded holds at most the
         * average), but the counts move while we read them: if the walk finds none, the first member not
         * excluded takes the call. At least one member must be left.
         */
        private Endpoint walk(Ring r, int index, Collection<Endpoint> excluded) {
            boolean retry = !excluded.isEmpty();
            long capacity = Long.MAX_VALUE;
            if (boundedLoadFactor != 0) {
                long total = 0;
                int members = 0;
                for (Endpoint e : r.members()) {
                    if (!retry || !excluded.contains(e)) {
                        total += Math.max(e.inFlight(), 0);
                        members++;
                    }
                }
                capacity = (long) Math.ceil(boundedLoadFactor * (total + 1) / members);
            }
            Endpoint first = null;
            Endpoint last = null;
            for (int step = 0, size = r.size(); step < size; step++) {
                Endpoint e = r.owner((index + step) % size);
                if (e == last) {
                    continue; // the same owner's next point: already looked at
                }
                last = e;
                if (retry && excluded.contains(e)) {
                    continue;
                }
                if (e.inFlight() + 1L <= capacity) {
                    return e;
                }
                if (first == null) {
                    first = e;
                }
            }
            return first;
        }
    }
}
