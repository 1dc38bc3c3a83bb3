package io.microrpc.kernel.testing;

import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Invocation;
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
    public Endpoint select(List<Endpoint> candidates, Invocation invocation) {
        return candidates.get(Math.floorMod(next.getAndIncrement(), candidates.size()));
    }
}
