package io.microrpc.kernel;

import io.microrpc.kernel.internal.invoke.RegistryBinding;
import io.microrpc.kernel.internal.plugin.EventLog;
import io.microrpc.kernel.internal.plugin.ExtensionPoints;
import io.microrpc.kernel.internal.plugin.ExtensionSnapshots;
import io.microrpc.kernel.internal.plugin.Extensions;
import io.microrpc.kernel.internal.plugin.LoadedExtension;
import io.microrpc.spi.ClientFilter;
import io.microrpc.spi.Filter;
import io.microrpc.spi.ServerFilter;
import io.microrpc.spi.ServiceInstance;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an operator does to a running kernel, apart from what an application embedding it needs: switch
 * the active extension of a point, say which extensions are active, set the weight this kernel publishes
 * to consumers, and list the providers the registry reports. The admin endpoint ({@code POST /switch},
 * {@code POST /weight}, {@code GET /plugins}) and the launcher's commands end up here; an application
 * gets it from {@link MicroRpc#admin()}. Thread-safe.
 */
public final class KernelAdmin {

    private static final Logger log = LoggerFactory.getLogger(KernelAdmin.class);

    private final MicroRpc rpc;
    private final ExtensionSnapshots extensions;
    private final RegistryBinding registries;
    private final EventLog events;

    KernelAdmin(MicroRpc rpc, ExtensionSnapshots extensions, RegistryBinding registries, EventLog events) {
        this.rpc = rpc;
        this.extensions = extensions;
        this.registries = registries;
        this.events = events;
    }

    /**
     * Makes {@code names} (a preference list, e.g. {@code p2c,round-robin}: the first loaded one is
     * active) the active extension of {@code point} for {@code service}, or for every service when
     * {@code service} is null. Takes effect for the next call; calls in flight finish with what they
     * started with. An empty {@code names} for a service returns it to the global choice.
     *
     * @param point one of {@code serializer}, {@code loadbalancer}, {@code cluster}, {@code registry}
     * @param service a service this kernel exports or references (a choice for a reference created
     *     later belongs in the configuration, e.g. {@code loadbalancer[<service>]}), or null
     * @throws IllegalArgumentException when the point is unknown, none of the names is loaded, or the
     *     service is neither exported nor referenced here
     */
    public void switchExtension(String point, String names, String service) {
        ExtensionPoints p = switchable(point);
        if (service != null) {
            checkSwitchableService(p, names, service);
        }
        List<String> list = new ArrayList<>();
        for (String n : names.split(",")) {
            if (!n.isBlank()) {
                list.add(n.trim());
            }
        }
        if (list.isEmpty() && service == null) {
            throw new IllegalArgumentException("names: '' (expected: one or more " + point
                    + " names; to return a service " + "to the global choice, pass an empty list with the service)");
        }
        List<String> loaded = new ArrayList<>();
        for (LoadedExtension e : extensions.current().all()) {
            if (p.type().isInstance(e.extension())) {
                loaded.add(e.name());
            }
        }
        if (!list.isEmpty() && list.stream().noneMatch(loaded::contains)) {
            throw new IllegalArgumentException("no " + point + " named " + list + " is loaded (loaded: "
                    + (loaded.isEmpty() ? "none" : String.join(", ", loaded)) + "); put its plugin in "
                    + rpc.settings().pluginsDir() + "/ first");
        }
        extensions.select(sel -> sel.with(p.key(), service, list));
        String switched = "switched " + point + (service == null ? "" : " of " + service) + " to "
                + (list.isEmpty() ? "the global choice" : String.join(",", list));
        log.info("{}", Character.toUpperCase(switched.charAt(0)) + switched.substring(1));
        events.add(switched);
    }

    /**
     * A switch for a service this kernel does not know would be accepted and do nothing until (if ever)
     * a reference to it is created: refuse it, saying what is known and where a later choice goes.
     */
    private void checkSwitchableService(ExtensionPoints p, String names, String service) {
        if (p == ExtensionPoints.REGISTRY) {
            throw new IllegalArgumentException("service: '" + service + "' (expected: none; the registry is chosen for "
                    + "the whole kernel, not per service)");
        }
        Set<String> referenced = rpc.referencedServices();
        if (rpc.exportedServices().contains(service) || referenced.contains(service)) {
            return;
        }
        String key = (p == ExtensionPoints.SERIALIZER ? "call.serializer" : p.key()) + "[" + service + "]";
        throw new IllegalArgumentException("service: '" + service + "' (expected: a service this kernel exports or "
                + "references; exported: " + listOrNone(new TreeSet<>(rpc.exportedServices())) + "; referenced: "
                + listOrNone(referenced) + "). A choice for a reference created later belongs in the configuration "
                + "file: " + (names.isBlank() ? "remove " + key : key + "=" + names.trim()));
    }

    private static String listOrNone(Collection<String> names) {
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    private static ExtensionPoints switchable(String point) {
        for (ExtensionPoints p : List.of(
                ExtensionPoints.SERIALIZER,
                ExtensionPoints.LOAD_BALANCER,
                ExtensionPoints.CLUSTER,
                ExtensionPoints.REGISTRY)) {
            if (p.key().equals(point)) {
                return p;
            }
        }
        throw new IllegalArgumentException(
                "point: '" + point + "' (expected: serializer, loadbalancer, cluster or registry)");
    }

    /**
     * What is active now, by point: {@code loadbalancer -> versioned (lb-versioned 1.0.2)}, plus
     * {@code loadbalancer[<service>]} entries for services with a choice of their own.
     */
    public Map<String, String> activeExtensions() {
        Extensions ext = extensions.current();
        Map<String, String> out = new LinkedHashMap<>();
        out.put("serializer", ext.describe(ext.serializerFor(null, null)));
        out.put("loadbalancer", ext.describe(ext.loadBalancer()));
        out.put("cluster", ext.describe(ext.clusterPolicy()));
        out.put("registry", ext.describe(ext.registry()));
        out.put("filters", describeFilters(ext));
        for (String service : ext.selections().servicesWithOwn(ExtensionPoints.LOAD_BALANCER.key())) {
            out.put("loadbalancer[" + service + "]", ext.describe(ext.loadBalancer(service)));
        }
        for (String service : ext.selections().servicesWithOwn(ExtensionPoints.CLUSTER.key())) {
            out.put("cluster[" + service + "]", ext.describe(ext.clusterPolicy(service)));
        }
        for (String service : ext.selections().servicesWithOwn(ExtensionPoints.SERIALIZER.key())) {
            out.put("serializer[" + service + "]", ext.describe(ext.serializerFor(service, null)));
        }
        return out;
    }

    /** The active filters in the order calls pass them, each with its side, e.g. {@code ratelimit (...) server}. */
    private static String describeFilters(Extensions ext) {
        List<Filter> active = ext.filters();
        if (active.isEmpty()) {
            return "-";
        }
        List<String> out = new ArrayList<>();
        for (Filter f : active) {
            boolean client = f instanceof ClientFilter;
            boolean server = f instanceof ServerFilter;
            out.add(ext.describe(f) + " " + (client && server ? "both" : client ? "client" : "server"));
        }
        return String.join(", ", out);
    }

    /**
     * Sets the load-balancing weight this kernel publishes for {@code service}, or for every exported
     * service when {@code service} is null, and registers it again so consumers' weighted strategies
     * see it within moments, without a restart. {@code server.weight} is the starting value; 0 takes a
     * provider out of weighted rotation (e.g. before maintenance).
     *
     * @return the instances as now registered
     * @throws IllegalArgumentException if the service is not exported here or the weight is negative
     */
    public List<ServiceInstance> setWeight(String service, int weight) {
        rpc.checkOpen();
        return registries.setWeight(service, weight);
    }

    /**
     * The providers the active registry reports for each service this kernel references without
     * addresses, as the references now see them (weights included); empty without such references.
     */
    public Map<String, List<ServiceInstance>> discoveredProviders() {
        return registries.discovered();
    }
}
