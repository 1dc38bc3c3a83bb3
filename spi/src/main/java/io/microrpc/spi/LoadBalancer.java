package io.microrpc.spi;

import java.util.Collection;
import java.util.List;

/**
 * Picks the endpoint of each attempt of a call. The kernel asks for a {@link Selector} per service
 * when that service's candidates change (an endpoint joins, leaves, connects, disconnects, or its
 * weight changes), never per call; each attempt then calls the selector. State a strategy keeps per
 * service (round-robin counters, a hash ring, latency history) lives in its selector, and carries over
 * through {@code previous}.
 */
public interface LoadBalancer extends Pluggable {

    /**
     * A selector for {@code candidates}. Called on a caller's thread, rarely; may allocate.
     *
     * @param service the service the candidates provide
     * @param candidates connected endpoints, at least two (with one, the kernel needs no choice), in a
     *     stable order; immutable
     * @param previous the selector this one replaces for {@code service}, made by this same instance,
     *     or null for the first one
     */
    Selector newSelector(String service, List<Endpoint> candidates, Selector previous);

    /**
     * The choice among one set of candidates. Called for every attempt, concurrently from many threads:
     * thread-safe, must not block, should not allocate in steady state.
     */
    @FunctionalInterface
    interface Selector {

        /**
         * One of the candidates that is not in {@code excluded}.
         *
         * @param excluded endpoints to avoid: those earlier attempts of this call failed on (empty for a
         *     first attempt); the kernel makes sure at least one candidate is not excluded
         */
        Endpoint select(ClientRequestContext context, Invocation invocation, Collection<Endpoint> excluded);
    }
}
