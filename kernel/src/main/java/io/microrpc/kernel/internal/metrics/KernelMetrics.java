package io.microrpc.kernel.internal.metrics;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Snapshot;
import io.microrpc.spi.Status;
import io.microrpc.spi.Ticker;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The kernel's metrics in one Dropwizard {@link MetricRegistry}: per method and side, call counts by
 * status and latency ({@link CallMetrics}); gauges the kernel registers (plugin generations and swaps).
 * {@link #prometheus} renders them in the Prometheus text format for {@code GET /metrics}; embedders can
 * attach any Dropwizard reporter to {@link #registry}. Thread-safe.
 */
public final class KernelMetrics {

    /** Which end of a call is measured. */
    public enum Side {
        CLIENT,
        SERVER;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The method label of calls that never resolved to a method (malformed or unknown). */
    public static final String UNKNOWN = "(unknown)";

    private static final double[] QUANTILES = {0.5, 0.9, 0.99, 0.999};

    private final MetricRegistry registry = new MetricRegistry();
    private final boolean enabled;
    private final Ticker ticker;
    private final ConcurrentHashMap<String, CallMetrics> calls = new ConcurrentHashMap<>();
    private final Map<String, LongSupplier> gauges = new ConcurrentHashMap<>();
    private final Map<String, LongSupplier> counters = new ConcurrentHashMap<>();

    /** {@code ticker}: the kernel's clock, which decides when a latency interval ends. */
    public KernelMetrics(boolean enabled, Ticker ticker) {
        this.enabled = enabled;
        this.ticker = ticker;
    }

    public MetricRegistry registry() {
        return registry;
    }

    /** The metrics of {@code service/method} on {@code side}, created on first use; null when metrics are off. */
    public CallMetrics calls(Side side, String service, String method) {
        if (!enabled) {
            return null;
        }
        String key = side.label() + '|' + service + '|' + method;
        CallMetrics m = calls.get(key);
        return m != null
                ? m
                : calls.computeIfAbsent(key, k -> new CallMetrics(registry, ticker, side, service, method));
    }

    /** Registers a gauge, e.g. {@code microrpc_server_in_flight}; {@code name} uses Prometheus syntax. */
    public void gauge(String name, LongSupplier value) {
        gauges.put(name, value);
        registry.register(name.replace('_', '.'), (Gauge<Long>) value::getAsLong);
    }

    /**
     * Registers a count kept elsewhere that only grows, e.g. {@code microrpc_plugin_unloads_total};
     * exposed as a Prometheus counter (and as a Dropwizard gauge, the registry's only read-only type).
     */
    public void counter(String name, LongSupplier value) {
        counters.put(name, value);
        registry.register(name.replace('_', '.'), (Gauge<Long>) value::getAsLong);
    }

    /** Every metric in the Prometheus text exposition format (version 0.0.4). */
    public String prometheus() {
        StringBuilder out = new StringBuilder(4096);
        List<CallMetrics> all = new ArrayList<>(calls.values());
        all.sort(Comparator.comparing((CallMetrics m) -> m.side)
                .thenComparing(m -> m.service)
                .thenComparing(m -> m.method));
        out.append("# HELP microrpc_calls_total Calls completed, by side, service, method and status.\n");
        out.append("# TYPE microrpc_calls_total counter\n");
        for (CallMetrics m : all) {
            for (Status.Code code : CallMetrics.codes()) {
                long n = m.count(code);
                if (n > 0) {
                    out.append("microrpc_calls_total{")
                            .append(labels(m))
                            .append(",status=\"")
                            .append(code.name())
                            .append("\"} ")
                            .append(n)
                            .append('\n');
                }
            }
        }
        out.append(
                "# HELP microrpc_call_latency_seconds Call latency; quantiles over the interval since the previous scrape.\n");
        out.append("# TYPE microrpc_call_latency_seconds summary\n");
        for (CallMetrics m : all) {
            Snapshot s = m.latencySnapshot();
            for (double q : QUANTILES) {
                // No call in the interval: no quantile (NaN, as Prometheus clients write it), not zero.
                out.append("microrpc_call_latency_seconds{")
                        .append(labels(m))
                        .append(",quantile=\"")
                        .append(q)
                        .append("\"} ")
                        .append(s.size() == 0 ? "NaN" : String.valueOf(s.getValue(q) / 1e9))
                        .append('\n');
            }
            out.append("microrpc_call_latency_seconds_sum{")
                    .append(labels(m))
                    .append("} ")
                    .append(m.sumSeconds())
                    .append('\n');
            out.append("microrpc_call_latency_seconds_count{")
                    .append(labels(m))
                    .append("} ")
                    .append(m.totalCount())
                    .append('\n');
        }
        counters.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(c -> {
            out.append("# TYPE ").append(c.getKey()).append(" counter\n");
            out.append(c.getKey()).append(' ').append(c.getValue().getAsLong()).append('\n');
        });
        gauges.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(g -> {
            out.append("# TYPE ").append(g.getKey()).append(" gauge\n");
            out.append(g.getKey()).append(' ').append(g.getValue().getAsLong()).append('\n');
        });
        return out.toString();
    }

    private static String labels(CallMetrics m) {
        return "side=\"" + m.side.label() + "\",service=\"" + escape(m.service) + "\",method=\"" + escape(m.method)
                + '"';
    }

    /** Label values escape backslash, double quote and line feed. */
    static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
