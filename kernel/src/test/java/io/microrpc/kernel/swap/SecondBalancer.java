package io.microrpc.kernel.swap;

import io.microrpc.spi.Endpoint;
import io.microrpc.spi.LoadBalancer;
import java.util.List;
import org.pf4j.Extension;

/** A second load balancer ("first") for switch tests: always the first candidate. */
@Extension
public final class SecondBalancer implements LoadBalancer {

    @Override
    public String name() {
        return "first";
    }

    @Override
    public Selector newSelector(String service, List<Endpoint> all, Selector previous) {
        return (context, invocation, excluded) -> {
            List<Endpoint> candidates = excluded.isEmpty()
                    ? all
                    : all.stream().filter(e -> !excluded.contains(e)).toList();
            SwapProbe.served("lb-first", "any", getClass().getClassLoader());
            return candidates.get(0);
        };
    }
}
