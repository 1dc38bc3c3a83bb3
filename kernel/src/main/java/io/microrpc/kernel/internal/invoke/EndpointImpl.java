package io.microrpc.kernel.internal.invoke;

import io.microrpc.kernel.internal.transport.ClientConnection;
import io.microrpc.spi.Endpoint;
import io.microrpc.spi.ServiceInstance;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A provider of one service on one connection, with the statistics load balancers read. Statistics
 * are updated without locks; concurrent updates may lose a sample, which an average tolerates.
 */
final class EndpointImpl implements Endpoint {

    /** Weight of the newest sample in the moving averages. */
    private static final double ALPHA = 0.2;

    private volatile ServiceInstance instance;
    private final ClientConnection connection;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile long latencyEwmaNanos;
    private volatile double successRate = 1.0;
    private volatile long peakEwmaNanos;
    private volatile long peakStampNanos;

    EndpointImpl(ServiceInstance instance, ClientConnection connection) {
        this.instance = instance;
        this.connection = connection;
    }

    @Override
    public ServiceInstance instance() {
        return instance;
    }

    @Override
    public int inFlight() {
        return inFlight.get();
    }

    @Override
    public long latencyEwmaNanos() {
        return latencyEwmaNanos;
    }

    @Override
    public long peakEwmaNanos() {
        return peakEwmaNanos;
    }

    @Override
    public double successRate() {
        return successRate;
    }

    /** Takes the registry's newer data for this provider, e.g. a changed weight; statistics stay. */
    void update(ServiceInstance newer) {
        instance = newer;
    }

    ClientConnection connection() {
        return connection;
    }

    boolean isReady() {
        return connection.isReady();
    }

    void callStarted() {
        inFlight.incrementAndGet();
    }

    /** Decay time constant of the peak EWMA (Finagle uses 10 s). */
    private static final double PEAK_DECAY_NANOS = 10e9;

    @SuppressWarnings("NonAtomicVolatileUpdate") // statistics: a lost update between racing calls is harmless
    void callFinished(long latencyNanos, boolean success, long nowNanos) {
        inFlight.decrementAndGet();
        long peak = peakEwmaNanos;
        if (latencyNanos > peak) {
            peakEwmaNanos = latencyNanos;
        } else {
            double w = Math.exp(-Math.max(0, nowNanos - peakStampNanos) / PEAK_DECAY_NANOS);
            peakEwmaNanos = (long) (peak * w + latencyNanos * (1 - w));
        }
        peakStampNanos = nowNanos;
        long previous = latencyEwmaNanos;
        latencyEwmaNanos = previous == 0 ? latencyNanos : (long) (previous + ALPHA * (latencyNanos - previous));
        successRate = successRate + ALPHA * ((success ? 1.0 : 0.0) - successRate);
    }

    @Override
    public String toString() {
        String failure = connection.isReady() ? null : connection.failure();
        return instance.address() + "{" + connection.state() + ", inFlight=" + inFlight.get()
                + (failure == null ? "" : ", " + failure) + '}';
    }
}
