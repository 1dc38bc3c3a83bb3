package ${package};

import io.microrpc.spi.Endpoint;
import io.microrpc.spi.LoadBalancer;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.pf4j.Extension;

/**
 * Sends each call to the next candidate in turn. Select it with {@code loadbalancer=${pluginId}}.
 *
 * <p>The kernel asks for a {@link Selector} when a service's candidates change and calls it for every
 * attempt, on the callers' threads, concurrently: it must be thread-safe and must not block. A retry
 * passes the endpoints the call already failed on in {@code excluded}; the selector skips them.
 */
@Extension
public final class RoundRobin implements LoadBalancer {

    @Override
    public String name() {
        return "${pluginId}";
    }

    @Override
    public Selector newSelector(String service, List<Endpoint> candidates, Selector previous) {
        AtomicInteger next = new AtomicInteger();
        return (context, invocation, excluded) -> {
            int n = candidates.size();
            int start = next.getAndIncrement();
            for (int i = 0; i < n; i++) {
                Endpoint e = candidates.get(Math.floorMod(start + i, n));
                if (!excluded.contains(e)) {
                    return e;
                }
            }
            throw new IllegalStateException("every candidate is excluded");
        };
    }
}
