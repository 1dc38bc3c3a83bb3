package io.microrpc.plugin.lb.adaptive;

import io.microrpc.spi.Endpoint;
import java.util.List;

/** Checks shared by the adaptive balancers; stateless. */
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
     * An endpoint with weight 0 (drained by an operator or the registry) takes no traffic while another
     * candidate has weight; when all have 0, all are eligible, because the kernel needs one of them.
     */
    static boolean live(Endpoint e) {
        return e.weight() > 0;
    }
}
