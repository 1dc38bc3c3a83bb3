package io.microrpc.plugin.lb.adaptive;

/**
 * The cost of sending one more call to an endpoint: its latency average × (calls in flight + 1), the
 * expected wait if calls queue behind each other. Stateless.
 *
 * <p>An endpoint without a measurement yet (average 0) costs 0 when it is idle, so a new node is
 * probed at once; but with calls in flight and still no answer it costs more than any measured node
 * ({@link #UNMEASURED_BUSY}), as in Finagle's peak-EWMA balancer: otherwise a node that accepts
 * connections but never answers would keep attracting calls until the first one timed out.
 */
final class Costs {

    /** ≈ 11.6 days in nanoseconds: above latency × in-flight of any node that answers at all. */
    static final double UNMEASURED_BUSY = 1e15;

    private Costs() {}

    /** {@code latencyNanos} as the balancer reads it (possibly decayed, see {@link StaleLatencies}); 0 = unmeasured. */
    static double of(double latencyNanos, int inFlight) {
        int waiting = Math.max(inFlight, 0);
        if (latencyNanos <= 0) {
            return waiting == 0 ? 0 : UNMEASURED_BUSY + waiting;
        }
        return latencyNanos * (waiting + 1);
    }
}
