package io.microrpc.plugin.lb.adaptive;

import io.microrpc.spi.Endpoint;
import java.util.IdentityHashMap;
import java.util.List;

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
 * <p>Thread-safe without locks. Observations sit in arrays aligned with the candidate list
 * ({@link Slots}, immutable arrays of mutable observations), rebuilt (allocating) only when the
 * candidates change; observations of endpoints that stay are carried over. Racing callers may update
 * an observation at the same time; either write is a fine answer.
 */
final class StaleLatencies {

    /** Finagle's and the kernel's peak-EWMA decay time. */
    static final double TAU_NANOS = 10e9;
    /** Staleness below this is ignored: the decay would be under 1%. */
    private static final long IGNORE_BELOW_NANOS = 100_000_000;
    /** How long a computed decay factor is reused, to keep {@code Math.exp} off most picks. */
    private static final long FACTOR_REUSE_NANOS = 20_000_000;

    private volatile Slots slots = new Slots(new Endpoint[0], new Observation[0]);

    /** Observations for {@code candidates}, checked only at the two positions a pair draw uses: O(1). */
    Slots forPair(List<Endpoint> candidates, int i, int j) {
        Slots s = slots;
        Endpoint[] e = s.endpoints;
        if (e.length == candidates.size() && e[i] == candidates.get(i) && e[j] == candidates.get(j)) {
            return s;
        }
        return rebuild(candidates);
    }

    /** Observations for {@code candidates}, checked at every position: O(n) reference comparisons. */
    Slots forAll(List<Endpoint> candidates) {
        Slots s = slots;
        Endpoint[] e = s.endpoints;
        int n = e.length;
        if (n == candidates.size()) {
            int k = 0;
            while (k < n && e[k] == candidates.get(k)) {
                k++;
            }
            if (k == n) {
                return s;
            }
        }
        return rebuild(candidates);
    }

    private Slots rebuild(List<Endpoint> candidates) {
        Slots old = slots;
        IdentityHashMap<Endpoint, Observation> kept = new IdentityHashMap<>();
        for (int k = 0; k < old.endpoints.length; k++) {
            kept.put(old.endpoints[k], old.observations[k]);
        }
        Endpoint[] endpoints = candidates.toArray(new Endpoint[0]);
        Observation[] observations = new Observation[endpoints.length];
        for (int k = 0; k < endpoints.length; k++) {
            Observation o = kept.get(endpoints[k]);
            observations[k] = o != null ? o : new Observation();
        }
        Slots s = new Slots(endpoints, observations);
        slots = s;
        return s;
    }

    /** Candidates and their observations, index by index. */
    static final class Slots {
        final Endpoint[] endpoints;
        final Observation[] observations;

        Slots(Endpoint[] endpoints, Observation[] observations) {
            this.endpoints = endpoints;
            this.observations = observations;
        }
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
