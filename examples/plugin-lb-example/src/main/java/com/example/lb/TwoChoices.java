package com.example.lb;

import io.microrpc.spi.Endpoint;
import io.microrpc.spi.LoadBalancer;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.pf4j.Extension;

/** Picks two candidates at random and sends the call to the one with fewer calls in flight. */
@Extension
public final class TwoChoices implements LoadBalancer {

    @Override
    public String name() {
        return "two-choices";
    }

    @Override
    public Selector newSelector(String service, List<Endpoint> candidates, Selector previous) {
        return (context, invocation, excluded) -> {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            Endpoint a = draw(candidates, excluded, random);
            Endpoint b = draw(candidates, excluded, random);
            return b.inFlight() < a.inFlight() ? b : a;
        };
    }

    /** A random candidate not in {@code excluded}; the kernel always leaves at least one. */
    private static Endpoint draw(List<Endpoint> candidates, Collection<Endpoint> excluded, ThreadLocalRandom random) {
        while (true) {
            Endpoint e = candidates.get(random.nextInt(candidates.size()));
            if (!excluded.contains(e)) {
                return e;
            }
        }
    }
}
