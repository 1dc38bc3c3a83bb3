package io.microrpc.kernel.testing;

import io.microrpc.spi.Registry;
import io.microrpc.spi.ServiceInstance;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The shared state of the test registries: what a real registry server would hold, kept on the test
 * class path so registries of several kernels and plugin versions in one JVM see the same providers.
 * Registrations are counted per registrant, so a test can tell which registry registered what.
 */
public final class RegistryBoard {

    private static final Map<String, Map<String, ServiceInstance>> PROVIDERS = new LinkedHashMap<>();
    private static final Map<String, Integer> REGISTRATIONS = new LinkedHashMap<>();
    private static final List<Watch> WATCHES = new CopyOnWriteArrayList<>();
    private static final List<String> RETIRED = new CopyOnWriteArrayList<>();

    private RegistryBoard() {}

    public static synchronized void register(String registrant, ServiceInstance i) {
        PROVIDERS.computeIfAbsent(i.service(), s -> new LinkedHashMap<>()).put(i.address(), i);
        REGISTRATIONS.merge(registrant + ':' + i.service(), 1, Integer::sum);
        push(i.service());
    }

    public static synchronized void unregister(ServiceInstance i) {
        Map<String, ServiceInstance> m = PROVIDERS.get(i.service());
        if (m != null && m.remove(i.address()) != null) {
            push(i.service());
        }
    }

    public static synchronized Registry.Subscription subscribe(String service, Registry.Listener listener) {
        Watch w = new Watch(service, listener);
        WATCHES.add(w);
        listener.onProviders(providers(service));
        return () -> WATCHES.remove(w);
    }

    public static synchronized List<ServiceInstance> providers(String service) {
        return List.copyOf(PROVIDERS.getOrDefault(service, Map.of()).values());
    }

    public static synchronized int registrations(String registrant, String service) {
        return REGISTRATIONS.getOrDefault(registrant + ':' + service, 0);
    }

    /** A registry (by registrant) was told it is no longer the active one. */
    public static void retired(String registrant) {
        RETIRED.add(registrant);
    }

    public static List<String> retiredRegistrants() {
        return List.copyOf(RETIRED);
    }

    /** Subscriptions still open: a closed registry must leave none behind. */
    public static int watchCount() {
        return WATCHES.size();
    }

    public static synchronized void reset() {
        PROVIDERS.clear();
        REGISTRATIONS.clear();
        WATCHES.clear();
        RETIRED.clear();
    }

    private static void push(String service) {
        List<ServiceInstance> now = providers(service);
        for (Watch w : new ArrayList<>(WATCHES)) {
            if (w.service.equals(service)) {
                w.listener.onProviders(now);
            }
        }
    }

    private static final class Watch {
        final String service;
        final Registry.Listener listener;

        Watch(String service, Registry.Listener listener) {
            this.service = service;
            this.listener = listener;
        }
    }
}
