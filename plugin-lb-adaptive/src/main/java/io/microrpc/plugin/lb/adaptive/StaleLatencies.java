package io.microrpc.plugin.lb.adaptive;

import io.microrpc.spi.Endpoint;
import java.util.IdentityHashMap;

/**
 * Latency figures as a latency-aware balancer should read them: a figure that has not changed for a
 * while is decayed towards 0 with a time constant of {@link #TAU_NANOS}, so an endpoint that looked
 * slow once is tried again after a while instead of never.
 *
 * <p>Why: the kernel updates an endpoint's averages when one of its calls completes, so an endpoint
 * that no longer gets calls keeps its last, bad figure for ever. A balancer that always prefers the
 * cheaper endpoint then never sends it a call again, and one latency spike (a GC pause, a busy
 * machine) starves a healthy node for good. Finagle's peak EWMA avoids this by decaying at read time
 * ({@code PeakEwma.get()} observes a zero); this class does the same from outside: it remembers, per
 * candidate, the last figure it saw and since when, and decays a figure by the time it has stood
 * still. Where the kernel's figure already decays on read, it changes on every read and nothing more
 * is decayed. For a node that really is slow this means one probe call every τ × ln(slow / fast)
 * (about 37 s for 20 ms against 0.5 ms), as in Finagle.
 *
 * <p>One per selector, built with it (allocating) and then only read: an {@link Observation} per
 * candidate, in the candidates' order, taken over from the selector it replaces for the endpoints that
 * stay (the very objects: a new endpoint object is a new connection with figures of its own). Thread-safe
 * without locks; racing callers may update an observation at the same time, and either write is a fine
 * answer.
 */
final class StaleLatencies {

    /** Finagle's and the kernel's peak-EWMA decay time. */
    static final double TAU_NANOS = 10e9;
    /** Staleness below this is ignored: the decay would be under 1%. */
    private static final long IGNORE_BELOW_NANOS = 100_000_000;
    /** How long a computed decay factor is reused, to keep {@code Math.exp} off most picks. */
    private static final long FACTOR_REUSE_NANOS = 20_000_000;

    private final Endpoint[] endpoints;
    private final Observation[] observations;

    private StaleLatencies(Endpoint[] endpoints, Observation[] observations) {
        this.endpoints = endpoints;
        this.observations = observations;
    }

    /** Observations for {@code endpoints}, those of {@code previous} (null for none) carried over by identity. */
    static StaleLatencies of(Endpoint[] endpoints, StaleLatencies previous) {
        IdentityHashMap<Endpoint, Observation> kept = new IdentityHashMap<>();
        if (previous != null) {
            for (int k = 0; k < previous.endpoints.length; k++) {
                kept.put(previous.endpoints[k], previous.observations[k]);
            }
        }
        Observation[] observations = new Observation[endpoints.length];
        for (int k = 0; k < endpoints.length; k++) {
            Observation o = kept.get(endpoints[k]);
            observations[k] = o != null ? o : new Observation();
        }
        return new StaleLatencies(endpoints, observations);
    }

    /** The observation of candidate {@code index}. */
    Observation at(int index) {
        return observations[index];
    }

    /** The last figure seen for one endpoint and since when it has not changed. */
    static final class Observation {
        private volatile long value;
        private volatile long sinceNanos;
        private volatile double factor = 1.0;
        private volatile long factorAtNanos;

        /** {@code current}, decayed by the time it has stood unchanged as of {@code nowNanos}. */
        double read(long current, long nowNanos) {
            if (current != value) {
                value = current;
                sinceNanos = nowNanos;
                factor = 1.0;
                factorAtNanos = nowNanos;
                return current;
            }
            long stale = nowNanos - sinceNanos;
            if (stale < IGNORE_BELOW_NANOS || current == 0) {
                return current;
            }
            if (nowNanos - factorAtNanos >= FACTOR_REUSE_NANOS) {
                factor = Math.exp(-stale / TAU_NANOS);
                factorAtNanos = nowNanos;
            }
            return current * factor;
        }
    }
}
