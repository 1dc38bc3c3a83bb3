package io.microrpc.spi;

import java.util.List;

/**
 * Picks one endpoint from the candidates for one invocation.
 *
 * <p>Called on the caller's thread for every call that has more than one candidate, concurrently from
 * many threads: it must be thread-safe, must not block and should not allocate in steady state.
 */
public interface LoadBalancer extends Extension {

    /**
     * Returns one element of {@code candidates}.
     *
     * @param candidates connected, non-isolated endpoints; never empty; do not modify
     */
    Endpoint select(List<Endpoint> candidates, Invocation invocation);
}
