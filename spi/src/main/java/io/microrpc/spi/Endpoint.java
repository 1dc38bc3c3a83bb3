package io.microrpc.spi;

/**
 * A provider the kernel can send calls to, with the live statistics it keeps for it. Load balancers
 * and cluster policies read these; only the kernel writes them.
 *
 * <p>Implementations are thread-safe; every getter is a cheap, non-blocking read of a value that
 * other threads update concurrently, so two reads may disagree slightly.
 */
public interface Endpoint {

    /** What the registry (or the direct address) says about this provider. */
    ServiceInstance instance();

    /** {@code host:port}. */
    default String address() {
        return instance().address();
    }

    /** The current weight: the instance's weight unless an operator changed it at runtime. */
    default int weight() {
        return instance().weight();
    }

    /**
     * Whether {@code endpoint} is to take calls by its weight: true above 0. Weight 0 is how an operator
     * or a registry drains a provider; a load balancer sends such an endpoint nothing while a candidate it
     * may choose has weight, and chooses among all of them when none has, because the call must go
     * somewhere. The one place that rule's test is written, for every strategy to share.
     */
    static boolean hasWeight(Endpoint endpoint) {
        return endpoint.weight() > 0;
    }

    /** Calls sent to this endpoint that have not completed yet. */
    int inFlight();

    /** Exponentially weighted moving average of call latency in nanoseconds; 0 before the first call. */
    long latencyEwmaNanos();

    /**
     * Peak-sensitive latency average (Finagle's peak EWMA) in nanoseconds: jumps up to a slower sample at
     * once, decays towards faster ones with a time constant of 10 s, so a node that turns slow is avoided
     * immediately and trusted again gradually. 0 before the first call.
     */
    long peakEwmaNanos();

    /** When the provider started, in epoch milliseconds (for warm-up); 0 if unknown. */
    default long startTimestampMillis() {
        return instance().startTimestampMillis();
    }

    /** Share of recent calls that succeeded, 0.0–1.0; 1.0 before the first call. */
    double successRate();
}
