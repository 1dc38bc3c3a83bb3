package io.microrpc.kernel.internal.plugin;

import io.microrpc.kernel.config.ConfigException;
import io.microrpc.kernel.config.KernelSettings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which extension is active for each point, globally and per service: a preference list of names per
 * point, the first loaded one wins. Two layers: what the configuration file says ({@code loadbalancer},
 * {@code cluster}, {@code registry}, {@code call.serializer}, {@code filters} and the per-service keys),
 * and what an operator switched at runtime ({@code MicroRpc.switchExtension}). A runtime switch goes
 * before the configured list, which stays behind it as the fallback: removing the switched-to plugin
 * falls back to the configured choice, never to nothing. Editing the configuration replaces the
 * runtime switches of the points it changes (the latest action wins).
 *
 * <p>Immutable: {@link #with} and {@link #reconfigured} return new instances.
 */
public final class Selections {

    /** The configuration key holding the list of active filters; not a switchable point. */
    static final String FILTERS = "filters";

    private final Map<String, List<String>> configured;
    private final Map<String, Map<String, List<String>>> configuredPerService;
    private final Map<String, List<String>> switched;
    /** A runtime switch per service and point; an empty list means "the global choice". */
    private final Map<String, Map<String, List<String>>> switchedPerService;

    private Selections(
            Map<String, List<String>> configured,
            Map<String, Map<String, List<String>>> configuredPerService,
            Map<String, List<String>> switched,
            Map<String, Map<String, List<String>>> switchedPerService) {
        this.configured = configured;
        this.configuredPerService = configuredPerService;
        this.switched = switched;
        this.switchedPerService = switchedPerService;
    }

    /** The preferences the configuration states, with no runtime switch. */
    public static Selections from(KernelSettings settings) {
        return new Selections(configured(settings), configuredPerService(settings), Map.of(), Map.of());
    }

    private static Map<String, List<String>> configured(KernelSettings settings) {
        Map<String, List<String>> g = new LinkedHashMap<>();
        g.put(ExtensionPoints.SERIALIZER.key(), split(settings.callSerializer()));
        g.put(ExtensionPoints.LOAD_BALANCER.key(), split(settings.loadbalancer()));
        g.put(ExtensionPoints.CLUSTER.key(), split(settings.cluster()));
        g.put(ExtensionPoints.REGISTRY.key(), split(settings.registry()));
        g.put(FILTERS, List.copyOf(settings.filters()));
        return Collections.unmodifiableMap(g);
    }

    private static Map<String, Map<String, List<String>>> configuredPerService(KernelSettings settings) {
        Map<String, Map<String, List<String>>> p = new LinkedHashMap<>();
        settings.serviceSelections()
                .forEach((point, byService) -> byService.forEach((service, names) ->
                        p.computeIfAbsent(service, s -> new LinkedHashMap<>()).put(point, split(names))));
        p.replaceAll((s, m) -> Collections.unmodifiableMap(m));
        return Collections.unmodifiableMap(p);
    }

    /** Splits a preference list such as {@code p2c, round-robin}. */
    public static List<String> split(String names) {
        List<String> out = new ArrayList<>();
        for (String n : names.split(",")) {
            if (!n.isBlank()) {
                out.add(n.trim());
            }
        }
        return List.copyOf(out);
    }

    /**
     * The preference list for {@code point}, for {@code service} (null: globally): the service's runtime
     * switch, its configured choice, the global runtime switch, the global configured choice, in that
     * order and without repeats.
     */
    public List<String> preferences(String point, String service) {
        Set<String> out = new LinkedHashSet<>();
        if (service != null) {
            List<String> own =
                    switchedPerService.getOrDefault(service, Map.of()).get(point);
            if (own != null) {
                out.addAll(own);
            }
            if (own == null || !own.isEmpty()) {
                out.addAll(configuredPerService.getOrDefault(service, Map.of()).getOrDefault(point, List.of()));
            }
        }
        out.addAll(switched.getOrDefault(point, List.of()));
        out.addAll(configured.getOrDefault(point, List.of()));
        return List.copyOf(out);
    }

    /** The global runtime switch of {@code point}, empty when there is none. */
    List<String> switched(String point) {
        return switched.getOrDefault(point, List.of());
    }

    /** The configured global choice of {@code point}. */
    List<String> configured(String point) {
        return configured.getOrDefault(point, List.of());
    }

    /** The names of the configured active filters; empty activates every loaded filter. */
    List<String> filters() {
        return configured.getOrDefault(FILTERS, List.of());
    }

    /** Services that have a choice of their own for {@code point} (configured or switched). */
    public List<String> servicesWithOwn(String point) {
        Set<String> out = new TreeSet<>();
        configuredPerService.forEach((service, points) -> {
            if (points.containsKey(point)) {
                out.add(service);
            }
        });
        switchedPerService.forEach((service, points) -> {
            List<String> own = points.get(point);
            if (own != null && !own.isEmpty()) {
                out.add(service);
            } else if (own != null) {
                out.remove(service);
            }
        });
        return List.copyOf(out);
    }

    /**
     * A copy where {@code point} (for {@code service}, or globally when null) prefers {@code names}
     * ahead of the configured choice; an empty list returns a service to the global choice.
     */
    public Selections with(String point, String service, List<String> names) {
        Objects.requireNonNull(point, "point");
        if (service == null) {
            Map<String, List<String>> g = new LinkedHashMap<>(switched);
            g.put(point, List.copyOf(names));
            return new Selections(configured, configuredPerService, Collections.unmodifiableMap(g), switchedPerService);
        }
        Map<String, Map<String, List<String>>> p = new LinkedHashMap<>(switchedPerService);
        Map<String, List<String>> s = new LinkedHashMap<>(p.getOrDefault(service, Map.of()));
        s.put(point, List.copyOf(names));
        p.put(service, Collections.unmodifiableMap(s));
        return new Selections(configured, configuredPerService, switched, Collections.unmodifiableMap(p));
    }

    /**
     * The selections of a new configuration. A runtime switch stays unless the configuration changed
     * the choice it overrides (the same point, globally or for the same service).
     */
    public Selections reconfigured(KernelSettings settings) {
        Map<String, List<String>> c = configured(settings);
        Map<String, Map<String, List<String>>> cs = configuredPerService(settings);
        Map<String, List<String>> g = new LinkedHashMap<>(switched);
        g.keySet().removeIf(point -> !Objects.equals(c.get(point), configured.get(point)));
        Map<String, Map<String, List<String>>> p = new LinkedHashMap<>();
        switchedPerService.forEach((service, points) -> {
            Map<String, List<String>> kept = new LinkedHashMap<>(points);
            kept.keySet()
                    .removeIf(point -> !Objects.equals(
                            cs.getOrDefault(service, Map.of()).get(point),
                            configuredPerService.getOrDefault(service, Map.of()).get(point)));
            if (!kept.isEmpty()) {
                p.put(service, Collections.unmodifiableMap(kept));
            }
        });
        return new Selections(c, cs, Collections.unmodifiableMap(g), Collections.unmodifiableMap(p));
    }

    /**
     * Refuses the choices of {@code next} (the configuration an operator edited) that changed from
     * {@code before} and name no extension of {@code loaded}: {@code loadbalancer: 'x' (expected: a loaded
     * loadbalancer: p2c, random)}. Unchanged choices are not checked (their plugin may have been removed
     * since, and an unrelated edit must not be refused for it); {@code registry=none} means no registry.
     *
     * @throws ConfigException naming every such key
     */
    static void checkProvided(KernelSettings before, KernelSettings next, List<LoadedExtension> loadedExtensions) {
        Map<String, List<String>> loaded = new LinkedHashMap<>();
        for (ExtensionPoints p : ExtensionPoints.values()) {
            loaded.put(
                    p.key(),
                    loadedExtensions.stream()
                            .filter(le -> p.type().isInstance(le.extension()))
                            .map(LoadedExtension::name)
                            .toList());
        }
        Selections was = Selections.from(before);
        Selections will = Selections.from(next);
        List<String> problems = new ArrayList<>();
        for (ExtensionPoints p : List.of(
                ExtensionPoints.LOAD_BALANCER,
                ExtensionPoints.CLUSTER,
                ExtensionPoints.REGISTRY,
                ExtensionPoints.SERIALIZER)) {
            String key = p == ExtensionPoints.SERIALIZER ? "call.serializer" : p.key();
            List<String> names = will.configured(p.key());
            if (!names.equals(was.configured(p.key()))
                    && !names.isEmpty()
                    && names.stream().noneMatch(loaded.get(p.key())::contains)
                    && !(p == ExtensionPoints.REGISTRY && names.equals(List.of("none")))) {
                problems.add(key + ": '" + String.join(",", names) + "' (expected: a loaded " + p.key() + ": "
                        + orNone(loaded.get(p.key())) + ")");
            }
        }
        next.serviceSelections()
                .forEach((point, byService) -> byService.forEach((service, names) -> {
                    List<String> listed = split(names);
                    if (!names.equals(before.serviceSelections()
                                    .getOrDefault(point, Map.of())
                                    .get(service))
                            && !listed.isEmpty()
                            && listed.stream().noneMatch(loaded.get(point)::contains)) {
                        problems.add((point.equals("serializer") ? "call.serializer" : point) + "[" + service + "]: '"
                                + names + "' (expected: a loaded " + point + ": " + orNone(loaded.get(point)) + ")");
                    }
                }));
        if (!will.filters().equals(was.filters())) {
            for (String f : will.filters()) {
                if (!loaded.get(ExtensionPoints.FILTER.key()).contains(f)) {
                    problems.add("filters: '" + f + "' (expected: loaded filters: "
                            + orNone(loaded.get(ExtensionPoints.FILTER.key())) + ")");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(String.join("; ", problems));
        }
    }

    private static String orNone(List<String> names) {
        return names.isEmpty() ? "none is loaded" : String.join(", ", names);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Selections s
                && configured.equals(s.configured)
                && configuredPerService.equals(s.configuredPerService)
                && switched.equals(s.switched)
                && switchedPerService.equals(s.switchedPerService);
    }

    @Override
    public int hashCode() {
        return Objects.hash(configured, configuredPerService, switched, switchedPerService);
    }

    @Override
    public String toString() {
        return "Selections{configured=" + configured + ", perService=" + configuredPerService + ", switched=" + switched
                + ", switchedPerService=" + switchedPerService + '}';
    }
}
