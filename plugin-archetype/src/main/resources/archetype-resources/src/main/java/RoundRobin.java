package ${package};

import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.LoadBalancer;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.pf4j.Extension;

/**
 * Sends each call to the next candidate in turn. Select it with {@code loadbalancer=${pluginId}}.
 *
 * <p>Thread-safe: the kernel calls {@link #select} on the caller's threads, concurrently, with a new
 * list of the reachable candidates each time; it must not block.
 */
@Extension
public final class RoundRobin implements LoadBalancer {

    private final AtomicInteger next = new AtomicInteger();

    @Override
    public String name() {
        return "${pluginId}";
    }

    @Override
    public Endpoint select(List<Endpoint> candidates, Invocation invocation) {
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("candidates: [] (expected: at least one)");
        }
        return candidates.get(Math.floorMod(next.getAndIncrement(), candidates.size()));
    }
}
