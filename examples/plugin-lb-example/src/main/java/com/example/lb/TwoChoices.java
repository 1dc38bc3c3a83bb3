package com.example.lb;

import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.LoadBalancer;
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
    public Endpoint select(List<Endpoint> candidates, Invocation invocation) {
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("no candidates to choose from");
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        Endpoint a = candidates.get(random.nextInt(candidates.size()));
        Endpoint b = candidates.get(random.nextInt(candidates.size()));
        return b.inFlight() < a.inFlight() ? b : a;
    }
}
