package io.microrpc.plugin.cluster.failover;

import io.microrpc.spi.Endpoint;
import io.microrpc.spi.RpcException;
import io.microrpc.spi.Status;
import io.microrpc.spi.Ticker;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A circuit breaker per provider endpoint. After {@code failures} consecutive failures the circuit
 * opens: the endpoint gets no calls for {@code openNanos}; then one trial call is let through
 * (half-open). Its success closes the circuit, its failure opens it again.
 *
 * <p>Only calls lost on the way count as failures ({@link #classify}): a provider that answers, even
 * with an error, is up; one that refuses (it sheds load or is going away) is up too, and opening its
 * circuit would take away the calls it can still serve.
 *
 * <p>Endpoints are tracked only from their first failure until their next success, so the map is empty
 * while everything is healthy and the hot path costs one {@code isEmpty}. Time comes from the kernel's
 * {@link Ticker} (a fake one in tests). Thread-safe.
 *
 * <p>Written here rather than taken from Failsafe: Failsafe's breaker reads {@code System.nanoTime} and
 * cannot follow the kernel's ticker, and the part needed is this one small state machine.
 */
final class CircuitBreakers {

    private static final Logger log = LoggerFactory.getLogger(CircuitBreakers.class);
    /** Beyond this many tracked endpoints, those not open are dropped (providers that left). */
    private static final int PRUNE_ABOVE = 1024;

    private final int failures;
    private final long openNanos;
    private final Ticker ticker;
    private final ConcurrentHashMap<Endpoint, Breaker> breakers = new ConcurrentHashMap<>();

    CircuitBreakers(int failures, long openNanos, Ticker ticker) {
        this.failures = failures;
        this.openNanos = openNanos;
        this.ticker = ticker;
    }

    boolean enabled() {
        return failures > 0;
    }

    /** True when no endpoint has failed since its last success: nothing to check. */
    boolean allClosed() {
        return breakers.isEmpty();
    }

    /** True if {@code endpoint}'s circuit is open and its trial is not due yet. */
    boolean blocks(Endpoint endpoint) {
        Breaker b = breakers.get(endpoint);
        return b != null && b.blocks(ticker.nanoTime());
    }

    /** Takes the permit for a call to {@code endpoint}: false if open, or half-open with its trial running. */
    boolean tryAcquire(Endpoint endpoint) {
        Breaker b = breakers.get(endpoint);
        return b == null || b.tryAcquire(ticker.nanoTime(), endpoint);
    }

    /** Nanoseconds until the first open circuit among {@code endpoints} lets a trial through; for messages. */
    long nextTrialNanos(Iterable<? extends Endpoint> endpoints) {
        long now = ticker.nanoTime();
        long next = Long.MAX_VALUE;
        for (Endpoint e : endpoints) {
            Breaker b = breakers.get(e);
            if (b != null) {
                next = Math.min(next, b.openUntil - now);
            }
        }
        return Math.max(0, next);
    }

    /** Records the outcome of one call to {@code endpoint}; {@code failure} is null on success. */
    void record(Endpoint endpoint, Throwable failure) {
        if (!enabled()) {
            return;
        }
        switch (classify(failure)) {
            case SUCCESS -> {
                if (!breakers.isEmpty()) {
                    // Atomic with failed(): an open circuit cannot be dropped by a success racing its opening.
                    breakers.computeIfPresent(endpoint, (e, b) -> b.succeeded(e) ? null : b);
                }
            }
            case NEUTRAL -> {
                if (!breakers.isEmpty()) {
                    long now = ticker.nanoTime();
                    breakers.computeIfPresent(endpoint, (e, b) -> {
                        b.released(now);
                        return b;
                    });
                }
            }
            case FAILURE -> {
                long now = ticker.nanoTime();
                if (breakers.size() > PRUNE_ABOVE) {
                    breakers.values().removeIf(x -> !x.blocks(now));
                }
                breakers.compute(endpoint, (e, b) -> {
                    Breaker x = b != null ? b : new Breaker();
                    x.failed(now, e, failure);
                    return x;
                });
            }
        }
    }

    /** What a call's outcome says about its provider. */
    enum Outcome {
        SUCCESS,
        FAILURE,
        NEUTRAL
    }

    /**
     * A provider failed a call when the call was lost on the way (connection gone, no answer in time)
     * or could not be sent because its connection was not usable. It succeeded whenever it answered,
     * even with an error: an application error, a status its service returned. A refusal (it sheds
     * load, or is going away) and a failure of this process (the deadline passed before sending, a
     * local bug) say nothing about it either way.
     */
    static Outcome classify(Throwable failure) {
        if (failure == null) {
            return Outcome.SUCCESS;
        }
        RpcException e = RpcException.find(failure);
        if (e == null) {
            return Outcome.NEUTRAL;
        }
        return switch (e.progress()) {
            case ANSWERED -> Outcome.SUCCESS;
            case LOST -> Outcome.FAILURE;
            case NOT_SENT -> e.code() == Status.Code.UNAVAILABLE ? Outcome.FAILURE : Outcome.NEUTRAL;
            case REFUSED -> Outcome.NEUTRAL;
        };
    }

    private enum State {
        CLOSED,
        OPEN,
        HALF_OPEN
    }

    /** One endpoint's circuit. Guarded by its own monitor: it is touched only on the failure path. */
    private final class Breaker {
        private State state = State.CLOSED;
        private int consecutiveFailures;
        private volatile long openUntil;

        synchronized boolean blocks(long now) {
            return (state == State.OPEN && now - openUntil < 0) || state == State.HALF_OPEN;
        }

        synchronized boolean tryAcquire(long now, Endpoint endpoint) {
            switch (state) {
                case CLOSED:
                    return true;
                case OPEN:
                    if (now - openUntil < 0) {
                        return false;
                    }
                    state = State.HALF_OPEN;
                    log.info("Circuit of {} half-open: one trial call", describe(endpoint));
                    return true;
                default:
                    return false; // half-open: the trial is running
            }
        }

        /** A trial ended without a verdict: let the next call try again. */
        synchronized void released(long now) {
            if (state == State.HALF_OPEN) {
                state = State.OPEN;
                openUntil = now;
            }
        }

        /** @return true if the circuit is closed with no failures left to remember */
        synchronized boolean succeeded(Endpoint endpoint) {
            if (state != State.CLOSED) {
                log.info("Circuit of {} closed: the trial call succeeded", describe(endpoint));
            }
            state = State.CLOSED;
            consecutiveFailures = 0;
            return true;
        }

        synchronized void failed(long now, Endpoint endpoint, Throwable failure) {
            switch (state) {
                case CLOSED:
                    if (++consecutiveFailures >= failures) {
                        open(now);
                        log.warn(
                                "Circuit of {} opened after {} consecutive failures (last: {}); no calls for {} ms, then one trial",
                                describe(endpoint),
                                consecutiveFailures,
                                summary(failure),
                                TimeUnit.NANOSECONDS.toMillis(openNanos));
                    }
                    break;
                case HALF_OPEN:
                    open(now);
                    log.warn(
                            "Circuit of {} opened again: the trial call failed ({})",
                            describe(endpoint),
                            summary(failure));
                    break;
                default:
                // Open: a call that started before it opened finished; nothing changes.
            }
        }

        private void open(long now) {
            state = State.OPEN;
            openUntil = now + openNanos;
        }
    }

    private static String describe(Endpoint e) {
        return e.instance().service() + '@' + e.instance().address();
    }

    static String summary(Throwable t) {
        RpcException e = RpcException.find(t);
        return e != null ? e.status().toString() : t.toString();
    }

    /** The failure when every candidate's circuit is open. */
    static RpcException allOpen(String service, int candidates, long nextTrialNanos) {
        return Status.of(Status.Code.UNAVAILABLE)
                .withDescription("the circuits of all " + candidates + " providers of "
                        + service + " are open after repeated failures; the next trial call is in "
                        + TimeUnit.NANOSECONDS.toMillis(nextTrialNanos) + " ms (cluster.failover.breaker-* keys)")
                .asException(RpcException.Progress.NOT_SENT);
    }
}
