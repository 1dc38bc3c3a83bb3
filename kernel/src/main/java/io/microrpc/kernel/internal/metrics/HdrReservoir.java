package io.microrpc.kernel.internal.metrics;

import com.codahale.metrics.Reservoir;
import com.codahale.metrics.Snapshot;
import io.microrpc.spi.Ticker;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A Dropwizard reservoir over an HdrHistogram {@link Recorder}: recording is wait-free (no lock, no
 * allocation), which matters on the call path; Dropwizard's default reservoir takes a lock per update.
 * A snapshot holds the values recorded since the previous snapshot, so quantiles describe the interval
 * between two reads (between two scrapes of {@code GET /metrics}). Reads less than a second apart share
 * one interval, so two readers do not split it. Values are nanoseconds, 3 significant digits.
 */
final class HdrReservoir implements Reservoir {

    private static final long MIN_INTERVAL_NANOS = 1_000_000_000L;

    private final Recorder recorder = new Recorder(3);
    private final Ticker ticker;
    private Histogram interval;
    private HdrSnapshot last = new HdrSnapshot(new Histogram(3));
    private long lastNanos;

    HdrReservoir(Ticker ticker) {
        this.ticker = ticker;
        this.lastNanos = ticker.nanoTime() - MIN_INTERVAL_NANOS;
    }

    /** The size of the last snapshot; does not start a new interval. */
    @Override
    public synchronized int size() {
        return last.size();
    }

    @Override
    public void update(long value) {
        recorder.recordValue(Math.max(0, value));
    }

    @Override
    public synchronized Snapshot getSnapshot() {
        long now = ticker.nanoTime();
        if (now - lastNanos >= MIN_INTERVAL_NANOS) {
            interval = recorder.getIntervalHistogram(interval);
            last = new HdrSnapshot(interval.copy());
            lastNanos = now;
        }
        return last;
    }
}
