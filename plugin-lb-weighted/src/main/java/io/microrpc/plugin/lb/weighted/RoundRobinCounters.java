package io.microrpc.plugin.lb.weighted;

import io.microrpc.spi.Endpoint;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The smooth weighted round robin counters of one selector: one {@link Counter} per address, handed on
 * from the selector it replaces, so that a changed weight, a reconnect (a new endpoint object) or a node
 * leaving does not reset the others. The counters of addresses that left stay for {@link
 * #RECYCLE_NANOS}, so a node that comes back soon (a reconnect) finds its counter; then they are dropped,
 * so addresses that come and go do not accumulate.
 *
 * <p>Built once per selector (allocating), then only read; the counters themselves are atomics that
 * every caller changes. Thread-safe.
 */
final class RoundRobinCounters {

    /** A counter not among the candidates for this long is dropped at the next change (Dubbo uses 60 s too). */
    static final long RECYCLE_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** One per candidate, in the candidates' order. */
    final Counter[] counters;

    /** The counters above and those of addresses that left less than {@link #RECYCLE_NANOS} ago. */
    private final Map<String, Counter> byAddress;

    private RoundRobinCounters(Counter[] counters, Map<String, Counter> byAddress) {
        this.counters = counters;
        this.byAddress = byAddress;
    }

    /** Counters for {@code candidates}, taking over those of {@code previous} (null for none) by address. */
    static RoundRobinCounters of(List<Endpoint> candidates, RoundRobinCounters previous, long nowNanos) {
        Map<String, Counter> byAddress = new HashMap<>();
        if (previous != null) {
            // The previous candidates were in use until now.
            for (Counter c : previous.counters) {
                c.lastSeenNanos = nowNanos;
            }
            previous.byAddress.forEach((address, c) -> {
                if (nowNanos - c.lastSeenNanos <= RECYCLE_NANOS) {
                    byAddress.put(address, c);
                }
            });
        }
        Counter[] counters = new Counter[candidates.size()];
        for (int i = 0; i < counters.length; i++) {
            counters[i] = byAddress.computeIfAbsent(candidates.get(i).address(), a -> new Counter());
            counters[i].lastSeenNanos = nowNanos;
        }
        return new RoundRobinCounters(counters, Map.copyOf(byAddress));
    }

    /** Addresses with a counter, for tests of the recycling. */
    int trackedAddresses() {
        return byAddress.size();
    }

    /** nginx's {@code current_weight} of one address. */
    static final class Counter {
        final AtomicLong current = new AtomicLong();
        volatile long lastSeenNanos;
    }
}
