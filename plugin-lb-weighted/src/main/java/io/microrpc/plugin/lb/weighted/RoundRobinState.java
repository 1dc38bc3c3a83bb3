package io.microrpc.plugin.lb.weighted;

import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Ticker;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The smooth weighted round robin counters of one service: one {@link Counter} per address, so that a
 * changed weight, a reconnect (a new endpoint object) or a node leaving does not reset the others.
 *
 * <p>Thread-safe. The counters are atomics; the array of counters matching the current candidates is
 * an immutable {@link Snapshot} behind a volatile field, rebuilt (allocating) only when the candidate
 * list changes. A rebuild drops counters of addresses not seen for {@link #RECYCLE_NANOS}, so
 * addresses that come and go do not accumulate.
 */
final class RoundRobinState {

    /** A counter not among the candidates for this long is dropped at the next rebuild (Dubbo uses 60 s too). */
    static final long RECYCLE_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
    private volatile Snapshot snapshot = new Snapshot(new Endpoint[0], new Counter[0]);

    /** The counters for {@code candidates}, in their order. */
    Snapshot snapshot(List<Endpoint> candidates, Ticker ticker) {
        Snapshot s = snapshot;
        return Candidates.same(s.endpoints, candidates) ? s : rebuild(candidates, ticker.nanoTime(), s);
    }

    private Snapshot rebuild(List<Endpoint> candidates, long nowNanos, Snapshot previous) {
        // The previous candidates were in use until now: a node excluded for one failover retry keeps its counter.
        for (Counter c : previous.counters) {
            c.lastSeenNanos = nowNanos;
        }
        Endpoint[] endpoints = candidates.toArray(new Endpoint[0]);
        Counter[] cs = new Counter[endpoints.length];
        for (int i = 0; i < endpoints.length; i++) {
            cs[i] = counters.computeIfAbsent(endpoints[i].address(), a -> new Counter());
            cs[i].lastSeenNanos = nowNanos;
        }
        if (counters.size() > endpoints.length) {
            counters.values().removeIf(c -> nowNanos - c.lastSeenNanos > RECYCLE_NANOS);
        }
        Snapshot s = new Snapshot(endpoints, cs);
        snapshot = s;
        return s;
    }

    /** Addresses with a counter, for tests of the recycling. */
    int trackedAddresses() {
        return counters.size();
    }

    /** The candidates of one call and their counters, index by index. Immutable arrays. */
    static final class Snapshot {
        final Endpoint[] endpoints;
        final Counter[] counters;

        Snapshot(Endpoint[] endpoints, Counter[] counters) {
            this.endpoints = endpoints;
            this.counters = counters;
        }
    }

    /** nginx's {@code current_weight} of one address. */
    static final class Counter {
        final AtomicLong current = new AtomicLong();
        volatile long lastSeenNanos;
    }
}
