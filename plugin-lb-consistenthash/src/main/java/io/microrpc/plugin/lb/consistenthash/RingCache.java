package io.microrpc.plugin.lb.consistenthash;

import io.microrpc.spi.Endpoint;
import java.util.List;

/**
 * The rings of one service: the latest and the one before it. Two, because a failover retry asks with
 * the failed node excluded and the next call asks with all nodes again; each of those hits a cached
 * ring instead of rebuilding.
 *
 * <p>Thread-safe: rings are immutable and published through volatile fields. Callers that see a new
 * candidate list at the same time may each build the ring; they are equal, and the last one stays.
 */
final class RingCache {

    private volatile Ring latest = Ring.EMPTY;
    private volatile Ring earlier = Ring.EMPTY;

    Ring ring(List<Endpoint> candidates, int virtualNodes) {
        Ring r = latest;
        if (r.matches(candidates)) {
            return r;
        }
        Ring e = earlier;
        if (e.matches(candidates)) {
            return e;
        }
        Ring built = Ring.build(candidates, virtualNodes);
        earlier = r;
        latest = built;
        return built;
    }
}
