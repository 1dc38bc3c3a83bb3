package io.microrpc.plugin.lb.weighted;

import io.microrpc.spi.Endpoint;
import java.util.List;

/** Checks on the candidate list the kernel passes; stateless. */
final class Candidates {

    private Candidates() {}

    /** The kernel never passes an empty list; a caller that does gets a message saying what was expected. */
    static void checkNotEmpty(List<Endpoint> candidates) {
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException(
                    "candidates: [] (expected: at least one endpoint; the kernel fails a call "
                            + "with no reachable provider before it asks a load balancer)");
        }
    }

    /**
     * True when {@code candidates} holds exactly the objects of {@code cached}, in order. The kernel
     * hands a fresh list on every call, so caches compare elements by identity: O(n) reference
     * comparisons, no allocation.
     */
    static boolean same(Endpoint[] cached, List<Endpoint> candidates) {
        int n = cached.length;
        if (candidates.size() != n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (candidates.get(i) != cached[i]) {
                return false;
            }
        }
        return true;
    }
}
