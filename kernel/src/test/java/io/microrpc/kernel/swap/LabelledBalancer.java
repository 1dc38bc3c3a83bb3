package io.microrpc.kernel.swap;

import io.microrpc.spi.Endpoint;
import io.microrpc.spi.LoadBalancer;
import io.microrpc.spi.PluginConfig;
import io.microrpc.spi.PluginContext;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.pf4j.Extension;

/**
 * A load balancer ("labelled") configured by the key {@code loadbalancer.labelled.label}, packaged into
 * test plugin JARs: reports the label it serves with to {@link SwapProbe} (point {@code labelled}), and
 * how many of its instances stopped ({@code labelled-stopped}). Refuses unknown keys and labels that are
 * not lower-case words, as real plugins refuse bad values.
 */
@Extension
public final class LabelledBalancer implements LoadBalancer {

    private final AtomicInteger next = new AtomicInteger();
    private volatile String label = "none";

    @Override
    public String name() {
        return "labelled";
    }

    @Override
    public void start(PluginContext context) {
        PluginConfig c = context.config();
        for (String key : c.asMap().keySet()) {
            if (!key.equals("label")) {
                throw c.invalid(key, c.asMap().get(key), "only label is known");
            }
        }
        String l = c.getString("label", "none");
        if (!l.matches("[a-z]+")) {
            throw c.invalid("label", l, "a lower-case word");
        }
        label = l;
    }

    @Override
    public void stop() {
        SwapProbe.served("labelled-stopped", label, getClass().getClassLoader());
    }

    @Override
    public Selector newSelector(String service, List<Endpoint> all, Selector previous) {
        return (context, invocation, excluded) -> {
            List<Endpoint> candidates = excluded.isEmpty()
                    ? all
                    : all.stream().filter(e -> !excluded.contains(e)).toList();
            SwapProbe.served("labelled", label, getClass().getClassLoader());
            return candidates.get(Math.floorMod(next.getAndIncrement(), candidates.size()));
        };
    }
}
