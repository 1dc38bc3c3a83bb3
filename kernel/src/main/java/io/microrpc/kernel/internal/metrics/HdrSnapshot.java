package io.microrpc.kernel.internal.metrics;

import com.codahale.metrics.Snapshot;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/** A Dropwizard snapshot of one HdrHistogram interval. Immutable (it owns its copy of the histogram). */
final class HdrSnapshot extends Snapshot {

    /** {@link #getValues} returns at most this many values, spread over the distribution. */
    private static final int MAX_VALUES = 1028;

    private final Histogram histogram;

    HdrSnapshot(Histogram histogram) {
        this.histogram = histogram;
    }

    @Override
    public double getValue(double quantile) {
        if (quantile < 0 || quantile > 1 || Double.isNaN(quantile)) {
            throw new IllegalArgumentException("quantile: " + quantile + " (expected: 0-1)");
        }
        return histogram.getTotalCount() == 0 ? 0 : histogram.getValueAtPercentile(quantile * 100);
    }

    /** A sample of the recorded values (each value repeated in proportion to its count), in order. */
    @Override
    public long[] getValues() {
        long total = histogram.getTotalCount();
        if (total == 0) {
            return new long[0];
        }
        int n = (int) Math.min(MAX_VALUES, total);
        long[] values = new long[n];
        int k = 0;
        long seen = 0;
        for (HistogramIterationValue v : histogram.recordedValues()) {
            seen += v.getCountAtValueIteratedTo();
            long upTo = seen * n / total;
            while (k < upTo && k < n) {
                values[k++] = histogram.highestEquivalentValue(v.getValueIteratedTo());
            }
        }
        return values;
    }

    @Override
    public int size() {
        return (int) Math.min(Integer.MAX_VALUE, histogram.getTotalCount());
    }

    @Override
    public long getMax() {
        return histogram.getTotalCount() == 0 ? 0 : histogram.getMaxValue();
    }

    @Override
    public double getMean() {
        return histogram.getTotalCount() == 0 ? 0 : histogram.getMean();
    }

    @Override
    public long getMin() {
        return histogram.getTotalCount() == 0 ? 0 : histogram.getMinValue();
    }

    @Override
    public double getStdDev() {
        return histogram.getTotalCount() == 0 ? 0 : histogram.getStdDeviation();
    }

    @Override
    public void dump(OutputStream output) {
        try (PrintWriter out = new PrintWriter(new OutputStreamWriter(output, StandardCharsets.UTF_8))) {
            for (long v : getValues()) {
                out.println(v);
            }
        }
    }
}
