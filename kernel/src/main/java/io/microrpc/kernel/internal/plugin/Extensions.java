package io.microrpc.kernel.internal.plugin;

import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.spi.ClusterPolicy;
import io.microrpc.spi.Extension;
import io.microrpc.spi.Filter;
import io.microrpc.spi.LoadBalancer;
import io.microrpc.spi.Registry;
import io.microrpc.spi.Serializer;
import io.microrpc.spi.ServiceProvider;
import io.microrpc.spi.Status;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An immutable snapshot of the started extensions and of which one is active for each point. The hot
 * path reads one snapshot per call from {@link ExtensionRegistry#current()} and never asks PF4J for
 * extensions; a change of plugins builds a new snapshot and publishes it with one atomic write.
 */
public final class Extensions {

    private static final Logger log = LoggerFactory.getLogger(Extensions.class);

    private final List<LoadedExtension> all;
    private final Map<String, Serializer> serializersByName;
    private final Serializer[] serializersById = new Serializer[128];
    private final Selections selections;
    private final LoadBalancer loadBalancer;
    private final ClusterPolicy clusterPolicy;
    private final Registry registry;
    private final Map<String, LoadBalancer> serviceLoadBalancers = new HashMap<>();
    private final Map<String, ClusterPolicy> servicePolicies = new HashMap<>();
    private final Map<String, Serializer> serviceSerializers = new HashMap<>();
    private final Serializer preferredSerializer;
    private final List<Filter> clientFilters;
    private final List<Filter> serverFilters;
    private final List<ServiceProvider> serviceProviders;
    private final String pluginsDir;
    /** Calls using this snapshot now; see {@link ExtensionRegistry#acquire()}. */
    private final java.util.concurrent.atomic.AtomicInteger leases = new java.util.concurrent.atomic.AtomicInteger();

    private Extensions(List<LoadedExtension> all, KernelSettings settings, Selections selections) {
        this.all = List.copyOf(all);
        this.selections = selections;
        this.pluginsDir = settings.pluginsDir().toString();
        Map<String, Serializer> byName = new LinkedHashMap<>();
        for (Serializer s : ofType(Serializer.class)) {
            int id = s.id();
            if (id < 1 || id > 127) {
                log.warn("Ignoring serializer '{}': id {} (expected: 1-127)", s.name(), id);
                continue;
            }
            if (serializersById[id] != null) {
                log.warn("Ignoring serializer '{}': id {} is already taken by '{}'", s.name(), id, serializersById[id].name());
                continue;
            }
            serializersById[id] = s;
            byName.putIfAbsent(s.name(), s);
        }
        this.serializersByName = Map.copyOf(byName);
        this.loadBalancer = active(LoadBalancer.class, selections.preferences(ExtensionPoints.LOAD_BALANCER.key(), null));
        this.clusterPolicy = active(ClusterPolicy.class, selections.preferences(ExtensionPoints.CLUSTER.key(), null));
        this.registry = active(Registry.class, selections.preferences(ExtensionPoints.REGISTRY.key(), null));
        this.preferredSerializer = firstLoaded(selections.preferences(ExtensionPoints.SERIALIZER.key(), null));
        for (String service : selections.servicesWithOwn(ExtensionPoints.LOAD_BALANCER.key())) {
            serviceLoadBalancers.put(service, active(LoadBalancer.class,
                    selections.preferences(ExtensionPoints.LOAD_BALANCER.key(), service)));
        }
        for (String service : selections.servicesWithOwn(ExtensionPoints.CLUSTER.key())) {
            servicePolicies.put(service, active(ClusterPolicy.class, selections.preferences(ExtensionPoints.CLUSTER.key(), service)));
        }
        for (String service : selections.servicesWithOwn(ExtensionPoints.SERIALIZER.key())) {
            serviceSerializers.put(service, firstLoaded(selections.preferences(ExtensionPoints.SERIALIZER.key(), service)));
        }
        List<Filter> filters = ofType(Filter.class).stream()
                .filter(f -> settings.filters().isEmpty() || settings.filters().contains(f.name()))
                .sorted(Comparator.comparingInt(Filter::order).thenComparing(Filter::name))
                .collect(Collectors.toList());
        this.clientFilters = filters.stream().filter(f -> f.side().includes(Filter.Side.CLIENT)).collect(Collectors.toUnmodifiableList());
        this.serverFilters = filters.stream().filter(f -> f.side().includes(Filter.Side.SERVER)).collect(Collectors.toUnmodifiableList());
        this.serviceProviders = List.copyOf(ofType(ServiceProvider.class));
    }

    public static Extensions of(List<LoadedExtension> all, KernelSettings settings, Selections selections) {
        return new Extensions(all, settings, selections);
    }

    private <T extends Extension> List<T> ofType(Class<T> type) {
        List<T> out = new ArrayList<>();
        for (LoadedExtension e : all) {
            if (type.isInstance(e.extension())) {
                out.add(type.cast(e.extension()));
            }
        }
        return out;
    }

    /**
     * The first loaded extension of the preference list; with no preference, the first loaded one by
     * name; null when the preferences name none that is loaded (calls needing it then fail fast, naming
     * what is missing, rather than silently using another strategy).
     */
    private <T extends Extension> T active(Class<T> type, List<String> preferences) {
        List<T> candidates = ofType(type);
        if (preferences.isEmpty()) {
            return candidates.stream().min(Comparator.comparing(Extension::name)).orElse(null);
        }
        for (String name : preferences) {
            for (T t : candidates) {
                if (t.name().equals(name)) {
                    return t;
                }
            }
        }
        return null;
    }

    private Serializer firstLoaded(List<String> preferences) {
        for (String name : preferences) {
            Serializer s = serializersByName.get(name);
            if (s != null) {
                return s;
            }
        }
        return null;
    }

    public Selections selections() {
        return selections;
    }

    /** A snapshot of the same extensions with other selections. */
    public Extensions withSelections(Selections next, KernelSettings settings) {
        return new Extensions(all, settings, next);
    }

    private static String names(List<? extends Extension> list) {
        return list.isEmpty() ? "none" : list.stream().map(Extension::name).collect(Collectors.joining(", "));
    }

    public List<LoadedExtension> all() {
        return all;
    }

    /** The serializer of that name, or null. */
    public Serializer serializer(String name) {
        return serializersByName.get(name);
    }

    /** The serializer with that wire id, or null. */
    public Serializer serializer(byte id) {
        return id > 0 ? serializersById[id] : null;
    }

    /** Loaded serializers for messages, e.g. {@code protostuff(1)}, or {@code none}. */
    public String serializerNames() {
        List<String> names = new ArrayList<>();
        for (Serializer s : serializersById) {
            if (s != null) {
                names.add(s.name() + '(' + s.id() + ')');
            }
        }
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    public List<String> serializerNameList() {
        return List.copyOf(serializersByName.keySet());
    }

    /** The active load balancer, or null. */
    public LoadBalancer loadBalancer() {
        return loadBalancer;
    }

    /** The load balancer {@code service} uses: its own selection, else the global one; may be null. */
    public LoadBalancer loadBalancer(String service) {
        return serviceLoadBalancers.isEmpty() || !serviceLoadBalancers.containsKey(service)
                ? loadBalancer : serviceLoadBalancers.get(service);
    }

    /** The active cluster policy, or null (one attempt per call). */
    public ClusterPolicy clusterPolicy() {
        return clusterPolicy;
    }

    /** The cluster policy {@code service} uses: its own selection, else the global one; may be null. */
    public ClusterPolicy clusterPolicy(String service) {
        return servicePolicies.isEmpty() || !servicePolicies.containsKey(service)
                ? clusterPolicy : servicePolicies.get(service);
    }

    /**
     * The serializer {@code service}'s calls use: a runtime selection for the service or globally,
     * else the reference's configured one ({@code call.serializer}); null when not loaded.
     */
    public Serializer serializerFor(String service, String configured) {
        if (!serviceSerializers.isEmpty() && serviceSerializers.containsKey(service)) {
            return serviceSerializers.get(service);
        }
        return preferredSerializer != null ? preferredSerializer : serializersByName.get(configured);
    }

    /** The active registry, or null (direct addresses only). */
    public Registry registry() {
        return registry;
    }

    public List<Filter> clientFilters() {
        return clientFilters;
    }

    public List<Filter> serverFilters() {
        return serverFilters;
    }

    public List<ServiceProvider> serviceProviders() {
        return serviceProviders;
    }

    /**
     * The status for a call that needs {@code point} (the extension {@code name}, if one was asked for)
     * when no loaded plugin provides it: what is missing and what to install.
     */
    public Status missing(ExtensionPoints point, String name, String neededFor) {
        String loaded = names(ofType(point.type()));
        String what = name == null || name.isEmpty()
                ? "no " + point.type().getSimpleName() + " plugin is loaded"
                : "no " + point.type().getSimpleName() + " named '" + name + "' is loaded";
        return Status.of(Status.Code.FAILED_PRECONDITION).withDescription(what + " (loaded: " + loaded + ") but "
                + neededFor + " needs one; put " + point.suggestedPlugin() + " in " + pluginsDir + "/");
    }

    /** Loaded extensions by point, for reports: {@code serializer -> [protostuff (codec-protostuff 0.1.0)]}. */
    public Map<String, List<String>> describe() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (ExtensionPoints p : ExtensionPoints.values()) {
            List<String> names = new ArrayList<>();
            for (LoadedExtension e : all) {
                if (p.type().isInstance(e.extension())) {
                    names.add(e.toString());
                }
            }
            out.put(p.key(), names);
        }
        return out;
    }

    void retain() {
        leases.incrementAndGet();
    }

    /** Ends one call's use of this snapshot (see {@link ExtensionRegistry#acquire()}). */
    public void release() {
        leases.decrementAndGet();
    }

    /** Calls currently holding this snapshot. */
    public int leases() {
        return leases.get();
    }
}
