package io.microrpc.bench;

import org.HdrHistogram.Histogram;

/**
 * What one measurement period produced: successful calls and their latencies (nanoseconds), failed
 * calls, and the period's length. Immutable once built (the histogram is not shared).
 */
record Result(
        String label, String target, int concurrency, long calls, long errors, double seconds, Histogram latencyNanos) {

    double callsPerSecond() {
        return calls / seconds;
    }

    /** The latency at {@code percentile} (e.g. 99.9), in microseconds. */
    double micros(double percentile) {
        return latencyNanos.getTotalCount() == 0 ? Double.NaN : latencyNanos.getValueAtPercentile(percentile) / 1000.0;
    }
}
