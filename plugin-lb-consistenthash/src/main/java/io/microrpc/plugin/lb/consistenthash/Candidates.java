package io.microrpc.plugin.lb.consistenthash;

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
}
