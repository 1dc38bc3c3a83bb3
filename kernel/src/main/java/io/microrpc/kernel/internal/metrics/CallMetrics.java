package io.microrpc.kernel.internal.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Snapshot;
import io.microrpc.spi.Status;
import io.microrpc.spi.Ticker;
import java.util.concurrent.atomic.LongAdder;

/**
 * The calls of one method on one side: a latency histogram (nanoseconds) and a counter per status.
 * Names in the registry: {@code microrpc.<side>.<service>.<method>.latency} and
 * {@code ....status.<CODE>}. A histogram rather than a Dropwizard timer: a timer also keeps three
 * moving-average rates, updated on every call, that Prometheus computes from the counters anyway.
 * Holds strings and metrics only, never a class, so it pins no plugin. Thread-safe; {@link #record}
 * is lock-free.
 */
public final class CallMetrics {

    private static final Status.Code[] CODES = Status.Code.values();

    final KernelMetrics.Side side;
    final String service;
    final String method;
    private final String prefix;
    private final MetricRegistry registry;
    private final Histogram latency;
    private final LongAdder sumNanos = new LongAdder();
    private final Counter[] byStatus = new Counter[CODES.length];

    CallMetrics(MetricRegistry registry, Ticker ticker, KernelMetrics.Side side, String service, String method) {
        this.registry = registry;
        this.side = side;
        this.service = service;
        this.method = method;
        this.prefix = MetricRegistry.name("microrpc", side.label(), service, method);
        this.latency = registry.histogram(prefix + ".latency", () -> new Histogram(new HdrReservoir(ticker)));
    }

    /** One call ended with {@code code} after {@code nanos}. */
    public void record(Status.Code code, long nanos) {
        latency.update(nanos);
        sumNanos.add(nanos);
        Counter c = byStatus[code.ordinal()];
        if (c == null) {
            // Registered on first use; racing threads get the same counter from the registry.
            c = registry.counter(prefix + ".status." + code.name());
            byStatus[code.ordinal()] = c;
        }
        c.inc();
    }

    long count(Status.Code code) {
        Counter c = byStatus[code.ordinal()];
        return c == null ? 0 : c.getCount();
    }

    long totalCount() {
        return latency.getCount();
    }

    double sumSeconds() {
        return sumNanos.sum() / 1e9;
    }

    Snapshot latencySnapshot() {
        return latency.getSnapshot();
    }

    static Status.Code[] codes() {
        return CODES;
    }
}
