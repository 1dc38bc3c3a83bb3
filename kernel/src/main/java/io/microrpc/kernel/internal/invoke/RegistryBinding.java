package io.microrpc.kernel.internal.invoke;

import io.microrpc.kernel.internal.plugin.ContextLoader;
import io.microrpc.kernel.internal.plugin.Extensions;
import io.microrpc.kernel.internal.transport.ClientTransport;
import io.microrpc.kernel.internal.transport.KernelThreadFactory;
import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Registry;
import io.microrpc.spi.ServiceInstance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects the kernel to the active {@link Registry}: registers the instances of exported services,
 * keeps the registry-backed directories subscribed, and, when another registry becomes active (a
 * replaced plugin or a switch), registers and re-subscribes through the new one before leaving the old
 * one, so discovery has no gap. Thread-safe; registry calls may block, so it is called on kernel
 * threads only (the caller's thread for export/close, the plugin lifecycle thread for swaps).
 */
public final class RegistryBinding {

    private static final Logger log = LoggerFactory.getLogger(RegistryBinding.class);

    private final Map<String, ServiceInstance> registered = new LinkedHashMap<>();
    /** Weights set at runtime ({@link #setWeight}), by service; they outlive re-exports and registry switches. */
    private final Map<String, Integer> weights = new HashMap<>();
    /** Read without the lock by {@link #discovered()}: status must not wait for a registry call that hangs. */
    private final List<RegistryDirectory> directories = new CopyOnWriteArrayList<>();

    private volatile Registry bound;

    /** Follows the snapshot's active registry; called after every publish. */
    public synchronized void follow(Extensions snapshot) {
        Registry next = snapshot.registry();
        boolean serializersChanged = refreshSerializers(snapshot.serializerNameList());
        if (next == bound) {
            if (serializersChanged && bound != null) {
                // Consumers choose a codec the provider accepts: tell the registry what changed.
                registered.values().forEach(i -> register(bound, i));
            }
            return;
        }
        Registry previous = bound;
        bound = next;
        // First tell the old registry to stop writing (it forgets, deletes nothing): registered again
        // after the new one, e.g. by a reconnection in between, it would take the new one's entries back.
        if (previous != null) {
            retire(previous);
        }
        if (next != null) {
            registered.values().forEach(i -> register(next, i));
            log.info(
                    "Registry '{}' is active{}",
                    next.name(),
                    previous == null ? "" : " (was '" + previous.name() + "')");
        }
        directories.forEach(d -> d.bind(next));
        // The previous registry is not asked to unregister: it may be the same backend under a new
        // version, where that would delete the registration just made. Its plugin's stop() ends its
        // session (and so its ephemeral registrations) once its calls drain.
    }

    private static void retire(Registry r) {
        call(r, "retire", Registry::retire);
    }

    private static void register(Registry r, ServiceInstance instance) {
        call(r, "register " + instance, x -> x.register(instance));
    }

    private static void unregister(Registry r, ServiceInstance instance) {
        call(r, "unregister " + instance, x -> x.unregister(instance));
    }

    /** Updates the registered instances' accepted serializers; true if they changed. */
    private boolean refreshSerializers(List<String> serializers) {
        boolean changed = false;
        for (Map.Entry<String, ServiceInstance> e : registered.entrySet()) {
            if (!e.getValue().serializers().equals(serializers)) {
                e.setValue(e.getValue().toBuilder().serializers(serializers).build());
                changed = true;
            }
        }
        return changed;
    }

    /** Registers {@code instance} with the active registry (if any) and remembers it for later switches. */
    public synchronized void register(ServiceInstance instance) {
        Integer weight = weights.get(instance.service());
        if (weight != null) {
            instance = instance.toBuilder().weight(weight).build();
        }
        registered.put(instance.service(), instance);
        if (bound != null) {
            register(bound, instance);
        }
    }

    /**
     * Sets the weight registries publish for {@code service}, or for every exported service when it is
     * null, and registers the changed instances again so consumers see it. The weight stays for later
     * registrations of the same service (re-exports, registry switches) until set again.
     *
     * @return the instances as now registered
     * @throws IllegalArgumentException if {@code service} is not exported here, or the weight is negative
     */
    public synchronized List<ServiceInstance> setWeight(String service, int weight) {
        if (weight < 0 || weight > ServiceInstance.MAX_WEIGHT) {
            throw new IllegalArgumentException(
                    "weight: " + weight + " (expected: 0-" + ServiceInstance.MAX_WEIGHT + "; 0 takes no traffic)");
        }
        if (service != null && !registered.containsKey(service)) {
            throw new IllegalArgumentException(
                    "service '" + service + "' is not exported by this kernel (exported: " + registered.keySet() + ")");
        }
        List<ServiceInstance> changed = new ArrayList<>();
        for (Map.Entry<String, ServiceInstance> e : registered.entrySet()) {
            if (service == null || e.getKey().equals(service)) {
                weights.put(e.getKey(), weight);
                ServiceInstance next = e.getValue().toBuilder().weight(weight).build();
                e.setValue(next);
                changed.add(next);
                if (bound != null) {
                    register(bound, next);
                }
            }
        }
        log.info(
                "Weight of {} set to {}{}",
                service == null ? "every exported service" : service,
                weight,
                bound == null ? " (no registry is active: it is published when one is)" : "");
        return changed;
    }

    /** Unregisters the instance of {@code service}, if registered. */
    public synchronized void unregister(String service) {
        ServiceInstance i = registered.remove(service);
        if (i != null && bound != null) {
            unregister(bound, i);
        }
    }

    /**
     * Unregisters every instance: the first step of a graceful shutdown. Waits at most {@code timeout}:
     * an unreachable registry (ZooKeeper down) would otherwise hold the shutdown for its retries, about
     * 11 s per service with the ZooKeeper plugin's defaults, past a supervisor's grace period (30 s in
     * Kubernetes). What is not unregistered in time goes anyway when the registry's session of this
     * process closes or expires. Failures are logged in one line each (the trace at debug level).
     * Called by the thread closing the kernel; the registry is called on a thread of its own, outside
     * this object's lock.
     */
    public void unregisterAll(Duration timeout) {
        Registry r;
        List<ServiceInstance> instances;
        synchronized (this) {
            r = bound;
            instances = List.copyOf(registered.values());
            registered.clear();
        }
        if (r == null || instances.isEmpty()) {
            return;
        }
        AtomicInteger done = new AtomicInteger();
        AtomicBoolean abandoned = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        Thread worker = new KernelThreadFactory("microrpc-unregister").newThread(() -> {
            try {
                for (ServiceInstance i : instances) {
                    if (abandoned.get()) {
                        return;
                    }
                    unregisterQuietly(r, i, abandoned);
                    done.incrementAndGet();
                }
            } finally {
                finished.countDown();
            }
        });
        worker.start();
        boolean inTime;
        try {
            inTime = finished.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            inTime = false;
        }
        if (!inTime) {
            // What is left is read before the interrupt, which ends the blocked call (and so counts it done).
            List<String> left = instances.subList(Math.min(done.get(), instances.size()), instances.size()).stream()
                    .map(ServiceInstance::service)
                    .toList();
            abandoned.set(true);
            worker.interrupt();
            log.warn(
                    "Registry '{}' did not unregister {} within {} ms (unreachable?); shutting down without waiting: "
                            + "the registry drops them when this process's session closes or expires",
                    r.name(),
                    left,
                    timeout.toMillis());
        }
    }

    private static void unregisterQuietly(Registry r, ServiceInstance instance, AtomicBoolean abandoned) {
        ClassLoader previous = ContextLoader.enter(r);
        try {
            r.unregister(instance);
        } catch (Exception | LinkageError e) {
            if (!abandoned.get()) {
                // One line: the usual cause is an unreachable registry, whose client logs its own details.
                log.warn("Registry '{}' failed to unregister {}: {}", r.name(), instance, e.toString());
                log.debug("Registry '{}' failed to unregister {}", r.name(), instance, e);
            }
        } finally {
            ContextLoader.exit(previous);
        }
    }

    synchronized RegistryDirectory directory(String service, ClientTransport transport) {
        RegistryDirectory d = new RegistryDirectory(service, transport);
        directories.add(d);
        d.bind(bound);
        return d;
    }

    /**
     * The providers the registry reports to this kernel's references, by service (only services
     * referenced without addresses), as their endpoints now see them (e.g. with a weight changed at
     * runtime). Never waits for a registry call in progress.
     */
    public Map<String, List<ServiceInstance>> discovered() {
        Map<String, List<ServiceInstance>> out = new TreeMap<>();
        for (RegistryDirectory d : directories) {
            out.putIfAbsent(
                    d.service(), d.all().stream().map(Endpoint::instance).toList());
        }
        return out;
    }

    public boolean hasRegistry() {
        return bound != null;
    }

    public synchronized void close() {
        directories.forEach(RegistryDirectory::close);
        directories.clear();
    }

    /** One call into a registry plugin, under its class loader; a failure is logged, never thrown. */
    @FunctionalInterface
    private interface RegistryCall {
        void run(Registry registry) throws Exception;
    }

    private static void call(Registry r, String what, RegistryCall action) {
        ClassLoader previous = ContextLoader.enter(r);
        try {
            action.run(r);
        } catch (Exception | LinkageError e) {
            log.warn("Registry '{}' failed to {}", r.name(), what, e);
        } finally {
            ContextLoader.exit(previous);
        }
    }
}
