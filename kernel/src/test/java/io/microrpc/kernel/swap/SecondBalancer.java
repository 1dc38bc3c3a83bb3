package io.microrpc.kernel.swap;

import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Invocation;
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
    public Endpoint select(List<Endpoint> candidates, Invocation invocation) {
        SwapProbe.served("lb-first", "any", getClass().getClassLoader());
        return candidates.get(0);
    }
}
