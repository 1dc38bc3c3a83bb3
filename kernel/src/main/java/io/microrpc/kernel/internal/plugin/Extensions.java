package io.microrpc.kernel.internal.plugin;

import io.microrpc.spi.ClientFilter;
import io.microrpc.spi.ClientRequestContext;
import io.microrpc.spi.ClusterPolicy;
import io.microrpc.spi.Filter;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.Invoker;
import io.microrpc.spi.LoadBalancer;
import io.microrpc.spi.Pluggable;
import io.microrpc.spi.Registry;
import io.microrpc.spi.Serializer;
import io.microrpc.spi.ServerFilter;
import io.microrpc.spi.ServiceProvider;
import io.microrpc.spi.Status;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A snapshot of the started extensions and of which one is active for each point, plus a count of the
 * calls that use it. What it holds never changes: a change of plugins or selections builds a new
 * snapshot and publishes it with one atomic write. Its one mutable part is the lease counter (atomic):
 * every call takes a lease when it starts ({@link ExtensionSnapshots#acquire()}) and releases it when it
 * completes, and a replaced plugin is unloaded only once no snapshot that references it has a lease
 * left. The hot path reads one snapshot per call and never asks PF4J for extensions.
 *
 * <p>A point whose preferred extensions are all gone does not go empty while another extension of it is
 * loaded: the load balancer and the cluster policy fall back to the configured choice, then to any
 * loaded one ({@link #fallbacks()} says which took over). The registry and the serializer never fall
 * back to an extension nobody asked for: a registry decides where providers are found, and a
 * serializer what the other side must understand.
 */
public final class Extensions {

    private static final Logger log = LoggerFactory.getLogger(Extensions.class);

    private final List<LoadedExtension> all;
    private final Selections selections;
    private final Remedies remedies;
    private final Map<String, Serializer> serializersByName;
    private final Serializer[] serializersById = new Serializer[128];
    private final LoadBalancer loadBalancer;
    private final ClusterPolicy clusterPolicy;
    private final Registry registry;
    private final Map<String, LoadBalancer> serviceLoadBalancers = new HashMap<>();
    private final Map<String, ClusterPolicy> servicePolicies = new HashMap<>();
    private final Map<String, Serializer> serviceSerializers = new HashMap<>();
    private final Serializer switchedSerializer;
    private final Serializer configuredSerializer;
    private final List<Filter> filters;
    private final List<ClientFilter> clientCallFilters;
    private final List<ClientFilter> clientAttemptFilters;
    private final List<ServerFilter> serverFilters;
    private final List<ServiceProvider> serviceProviders;
    private final List<String> fallbacks = new ArrayList<>();
    /** Calls using this snapshot now; see {@link ExtensionSnapshots#acquire()}. */
    private final AtomicInteger leases = new AtomicInteger();

    private Extensions(List<LoadedExtension> all, Selections selections, Remedies remedies) {
        this.all = List.copyOf(all);
        this.selections = selections;
        this.remedies = remedies;
        Map<String, Serializer> byName = new LinkedHashMap<>();
        for (Serializer s : ofType(Serializer.class)) {
            int id = s.id();
            if (id < 1 || id > 127) {
                log.warn("Ignoring serializer '{}': id {} (expected: 1-127)", s.name(), id);
                continue;
            }
            if (serializersById[id] != null) {
                log.warn(
                        "Ignoring serializer '{}': id {} is already taken by '{}'",
                        s.name(),
                        id,
                        serializersById[id].name());
                continue;
            }
            serializersById[id] = s;
            byName.putIfAbsent(s.name(), s);
        }
        this.serializersByName = Map.copyOf(byName);
        this.loadBalancer = active(ExtensionPoints.LOAD_BALANCER, LoadBalancer.class, null, true);
        this.clusterPolicy = active(ExtensionPoints.CLUSTER, ClusterPolicy.class, null, true);
        this.registry = active(ExtensionPoints.REGISTRY, Registry.class, null, false);
        this.switchedSerializer = firstLoaded(selections.switched(ExtensionPoints.SERIALIZER.key()));
        this.configuredSerializer = firstLoaded(selections.configured(ExtensionPoints.SERIALIZER.key()));
        for (String service : selections.servicesWithOwn(ExtensionPoints.LOAD_BALANCER.key())) {
            serviceLoadBalancers.put(service, active(ExtensionPoints.LOAD_BALANCER, LoadBalancer.class, service, true));
        }
        for (String service : selections.servicesWithOwn(ExtensionPoints.CLUSTER.key())) {
            servicePolicies.put(service, active(ExtensionPoints.CLUSTER, ClusterPolicy.class, service, true));
        }
        for (String service : selections.servicesWithOwn(ExtensionPoints.SERIALIZER.key())) {
            serviceSerializers.put(
                    service, firstLoaded(selections.preferences(ExtensionPoints.SERIALIZER.key(), service)));
        }
        List<String> named = selections.filters();
        List<Filter> filters = ofType(Filter.class).stream()
                .filter(f -> named.isEmpty() || named.contains(f.name()))
                .sorted(Comparator.comparingInt(Filter::order).thenComparing(Filter::name))
                .collect(Collectors.toList());
        this.filters = List.copyOf(filters);
        List<ClientFilter> client = filters.stream()
                .filter(ClientFilter.class::isInstance)
                .map(ClientFilter.class::cast)
                .toList();
        // A stage a filter does not override only passes the call on: the hot path skips it.
        this.clientCallFilters =
                client.stream().filter(f -> overrides(f, "invoke")).toList();
        this.clientAttemptFilters =
                client.stream().filter(f -> overrides(f, "invokeAttempt")).toList();
        this.serverFilters = filters.stream()
                .filter(ServerFilter.class::isInstance)
                .map(ServerFilter.class::cast)
                .toList();
        this.serviceProviders = List.copyOf(ofType(ServiceProvider.class));
    }

    private static boolean overrides(ClientFilter filter, String stage) {
        try {
            return filter.getClass()
                            .getMethod(stage, ClientRequestContext.class, Invocation.class, Invoker.class)
                            .getDeclaringClass()
                    != ClientFilter.class;
        } catch (NoSuchMethodException e) {
            throw new AssertionError(e);
        }
    }

    public static Extensions of(List<LoadedExtension> all, Selections selections, Remedies remedies) {
        return new Extensions(all, selections, remedies);
    }

    private <T extends Pluggable> List<T> ofType(Class<T> type) {
        List<T> out = new ArrayList<>();
        for (LoadedExtension e : all) {
            if (type.isInstance(e.extension())) {
                out.add(type.cast(e.extension()));
            }
        }
        return out;
    }

    /**
     * The first loaded extension of the preference list of {@code point} (for {@code service}); with no
     * preference, or with {@code anyLoaded} when none of the preferences is loaded, the first loaded one
     * by name; else null (calls needing it then fail fast, naming what is missing).
     */
    private <T extends Pluggable> T active(ExtensionPoints point, Class<T> type, String service, boolean anyLoaded) {
        List<String> preferences = selections.preferences(point.key(), service);
        List<T> candidates = ofType(type);
        T chosen = null;
        for (String name : preferences) {
            for (T t : candidates) {
                if (chosen == null && t.name().equals(name)) {
                    chosen = t;
                }
            }
        }
        if (chosen == null && (preferences.isEmpty() || anyLoaded)) {
            chosen = candidates.stream()
                    .min(Comparator.comparing(Pluggable::name))
                    .orElse(null);
        }
        if (chosen != null && !preferences.isEmpty() && !preferences.get(0).equals(chosen.name())) {
            fallbacks.add(point.key() + (service == null ? "" : "[" + service + "]") + ": '" + preferences.get(0)
                    + "' is not loaded; " + describe(chosen) + " takes over"
                    + (preferences.contains(chosen.name()) ? "" : " (none of " + preferences + " is loaded)"));
        }
        return chosen;
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
    public Extensions withSelections(Selections next) {
        return new Extensions(all, next, remedies);
    }

    /** A snapshot of other extensions with the same selections. */
    Extensions withExtensions(List<LoadedExtension> next) {
        return new Extensions(next, selections, remedies);
    }

    /**
     * Points whose first preference is not loaded and which another extension serves, e.g.
     * {@code loadbalancer: 'lowest-port' is not loaded; p2c (lb-adaptive 0.1.0) takes over}.
     */
    public List<String> fallbacks() {
        return List.copyOf(fallbacks);
    }

    private static String names(List<? extends Pluggable> list) {
        return list.isEmpty() ? "none" : list.stream().map(Pluggable::name).collect(Collectors.joining(", "));
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
                ? loadBalancer
                : serviceLoadBalancers.get(service);
    }

    /** The active cluster policy, or null (one attempt per call). */
    public ClusterPolicy clusterPolicy() {
        return clusterPolicy;
    }

    /** The cluster policy {@code service} uses: its own selection, else the global one; may be null. */
    public ClusterPolicy clusterPolicy(String service) {
        return servicePolicies.isEmpty() || !servicePolicies.containsKey(service)
                ? clusterPolicy
                : servicePolicies.get(service);
    }

    /**
     * The serializer {@code service}'s calls use: a choice for the service (switched or configured), else
     * a runtime switch for every service, else the reference's own ({@code explicit}, may be null), else
     * {@code call.serializer}; null when the one chosen is not loaded.
     */
    public Serializer serializerFor(String service, String explicit) {
        if (!serviceSerializers.isEmpty() && serviceSerializers.containsKey(service)) {
            return serviceSerializers.get(service);
        }
        if (switchedSerializer != null) {
            return switchedSerializer;
        }
        return explicit != null ? serializersByName.get(explicit) : configuredSerializer;
    }

    /** The serializer names {@link #serializerFor} looks for, for messages when none is loaded. */
    public List<String> serializerWanted(String service, String explicit) {
        if (serviceSerializers.containsKey(service)
                || !selections.switched(ExtensionPoints.SERIALIZER.key()).isEmpty()) {
            return selections.preferences(ExtensionPoints.SERIALIZER.key(), service);
        }
        return explicit != null ? List.of(explicit) : selections.configured(ExtensionPoints.SERIALIZER.key());
    }

    /** The active registry, or null (direct addresses only). */
    public Registry registry() {
        return registry;
    }

    /** The active filters of either side, in order. */
    public List<Filter> filters() {
        return filters;
    }

    /** The active client filters that act on the call as a whole, in order. */
    public List<ClientFilter> clientCallFilters() {
        return clientCallFilters;
    }

    /** The active client filters that act on each attempt, in order. */
    public List<ClientFilter> clientAttemptFilters() {
        return clientAttemptFilters;
    }

    public List<ServerFilter> serverFilters() {
        return serverFilters;
    }

    public List<ServiceProvider> serviceProviders() {
        return serviceProviders;
    }

    /**
     * The status for a call that needs {@code point} (one of {@code names}, if any was asked for) when no
     * loaded plugin provides it: what is missing and what to install.
     */
    public Status missing(ExtensionPoints point, List<String> names, String neededFor) {
        String loaded = names(ofType(point.type()));
        String what = names.isEmpty()
                ? "no " + point.type().getSimpleName() + " plugin is loaded"
                : "no " + point.type().getSimpleName() + " named "
                        + (names.size() == 1 ? "'" + names.get(0) + "'" : "any of " + names) + " is loaded";
        return Status.of(Status.Code.FAILED_PRECONDITION)
                .withDescription(what + " (loaded: " + loaded + ") but " + neededFor + " needs one; "
                        + remedies.remedy(point, names));
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

    /** {@code e} with the plugin it came from, e.g. {@code p2c (lb-adaptive 0.1.0)}; {@code -} for null. */
    public String describe(Pluggable e) {
        if (e == null) {
            return "-";
        }
        for (LoadedExtension le : all) {
            if (le.extension() == e) {
                return le.toString();
            }
        }
        return e.name();
    }

    void retain() {
        leases.incrementAndGet();
    }

    /** Ends one call's use of this snapshot (see {@link ExtensionSnapshots#acquire()}). */
    public void release() {
        leases.decrementAndGet();
    }

    /** Calls currently holding this snapshot. */
    public int leases() {
        return leases.get();
    }
}
