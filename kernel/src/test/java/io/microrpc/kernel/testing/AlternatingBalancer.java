package io.microrpc.kernel.testing;

import io.microrpc.spi.Endpoint;
import io.microrpc.spi.LoadBalancer;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Takes the candidates in turn, so tests know every provider gets calls. For tests that need a load
 * balancer without loading a plugin; the real strategies are plugins.
 */
public final class AlternatingBalancer implements LoadBalancer {

    private final AtomicInteger next = new AtomicInteger();

    @Override
    public String name() {
        return "alternating";
    }

    @Override
    public Selector newSelector(String service, List<Endpoint> all, Selector previous) {
        return (context, invocation, excluded) -> {
            List<Endpoint> candidates = excluded.isEmpty()
                    ? all
                    : all.stream().filter(e -> !excluded.contains(e)).toList();
            return candidates.get(Math.floorMod(next.getAndIncrement(), candidates.size()));
        };
    }
}
