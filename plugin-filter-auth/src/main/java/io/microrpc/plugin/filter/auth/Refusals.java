package io.microrpc.plugin.filter.auth;

import io.microrpc.spi.Ticker;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the calls the filter turned away, by reason, and logs them at most once per interval: a flood
 * of bad credentials costs a line a second, not a line per call. Each line names one refusal (method,
 * caller address, reason, the identity the caller claimed) and how many were not logged since the
 * previous line; {@link #logTotals} logs the counts when the filter stops. Never a credential. The
 * kernel also counts these calls by status ({@code microrpc_calls_total{status="UNAUTHENTICATED"}}).
 *
 * <p>Thread-safe, lock-free.
 */
final class Refusals {

    private static final Logger log = LoggerFactory.getLogger("io.microrpc.plugin.filter.auth");

    private final Ticker ticker;
    private final long intervalNanos;
    private final AtomicLongArray counts = new AtomicLongArray(Reason.values().length);
    private final AtomicLong nextLine;
    private final AtomicLong suppressed = new AtomicLong();

    Refusals(Ticker ticker, long intervalNanos) {
        this.ticker = ticker;
        this.intervalNanos = intervalNanos;
        this.nextLine = new AtomicLong(ticker.nanoTime());
    }

    /**
     * Counts one refusal and logs it if no line was written within the interval. {@code claimed} is
     * the identity the caller presented, or null.
     */
    void refused(Reason reason, String target, Object remote, String claimed) {
        counts.incrementAndGet(reason.ordinal());
        long now = ticker.nanoTime();
        long due = nextLine.get();
        if (now - due >= 0 && nextLine.compareAndSet(due, now + intervalNanos)) {
            long more = suppressed.getAndSet(0);
            log.warn(
                    "auth: refused {} {} from {}{}: {}{}",
                    reason.code,
                    target,
                    remote,
                    claimed == null ? "" : " (identity " + claimed + ")",
                    reason.text,
                    more == 0 ? "" : " (" + more + " more refusals since the previous such line)");
        } else {
            suppressed.incrementAndGet();
        }
    }

    /** Refusals so far, by reason, for the reasons that occurred. */
    Map<Reason, Long> counts() {
        Map<Reason, Long> m = new EnumMap<>(Reason.class);
        for (Reason r : Reason.values()) {
            long n = counts.get(r.ordinal());
            if (n > 0) {
                m.put(r, n);
            }
        }
        return m;
    }

    void logTotals() {
        Map<Reason, Long> m = counts();
        if (!m.isEmpty()) {
            log.info("auth: calls refused while this configuration was active, by reason: {}", m);
        }
    }
}
