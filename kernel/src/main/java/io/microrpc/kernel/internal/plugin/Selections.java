package io.microrpc.kernel.internal.plugin;

import io.microrpc.kernel.config.KernelSettings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which extension is active for each point, globally and per service: a preference list of names per
 * point, the first loaded one wins. Starts from the configuration and changes at runtime through
 * {@code MicroRpc.switchExtension}. Immutable: {@link #with} returns a new instance.
 */
public final class Selections {

    private final Map<String, List<String>> global;
    private final Map<String, Map<String, List<String>>> perService;

    private Selections(Map<String, List<String>> global, Map<String, Map<String, List<String>>> perService) {
        this.global = global;
        this.perService = perService;
    }

    /** The preferences the configuration states: {@code call.serializer}, {@code loadbalancer}, {@code cluster}, {@code registry}. */
    public static Selections from(KernelSettings settings) {
        Map<String, List<String>> g = new LinkedHashMap<>();
        g.put(ExtensionPoints.LOAD_BALANCER.key(), split(settings.loadBalancer()));
        g.put(ExtensionPoints.CLUSTER.key(), split(settings.clusterPolicy()));
        g.put(ExtensionPoints.REGISTRY.key(), split(settings.registry()));
        Selections s = new Selections(Collections.unmodifiableMap(g), Map.of());
        for (Map.Entry<String, Map<String, String>> e : settings.serviceSelections().entrySet()) {
            for (Map.Entry<String, String> byService : e.getValue().entrySet()) {
                s = s.with(e.getKey(), byService.getKey(), split(byService.getValue()));
            }
        }
        return s;
    }

    private static List<String> split(String names) {
        List<String> out = new ArrayList<>();
        for (String n : names.split(",")) {
            if (!n.isBlank()) {
                out.add(n.trim());
            }
        }
        return List.copyOf(out);
    }

    /** The preference list for {@code point}, for {@code service} if it has its own, else the global one. */
    public List<String> preferences(String point, String service) {
        if (service != null) {
            Map<String, List<String>> s = perService.get(service);
            if (s != null && s.containsKey(point)) {
                return s.get(point);
            }
        }
        return global.getOrDefault(point, List.of());
    }

    /** Services that have a preference of their own for {@code point}. */
    public List<String> servicesWithOwn(String point) {
        List<String> out = new ArrayList<>();
        perService.forEach((service, points) -> {
            if (points.containsKey(point)) {
                out.add(service);
            }
        });
        return out;
    }

    /**
     * A copy where {@code point} (for {@code service}, or globally when null) prefers {@code names};
     * an empty list removes a service's own preference.
     */
    public Selections with(String point, String service, List<String> names) {
        Objects.requireNonNull(point, "point");
        if (service == null) {
            Map<String, List<String>> g = new LinkedHashMap<>(global);
            g.put(point, List.copyOf(names));
            return new Selections(Collections.unmodifiableMap(g), perService);
        }
        Map<String, Map<String, List<String>>> p = new LinkedHashMap<>(perService);
        Map<String, List<String>> s = new LinkedHashMap<>(p.getOrDefault(service, Map.of()));
        if (names.isEmpty()) {
            s.remove(point);
        } else {
            s.put(point, List.copyOf(names));
        }
        if (s.isEmpty()) {
            p.remove(service);
        } else {
            p.put(service, Collections.unmodifiableMap(s));
        }
        return new Selections(global, Collections.unmodifiableMap(p));
    }

    @Override
    public String toString() {
        return "Selections{global=" + global + ", perService=" + perService + '}';
    }
}
