package io.microrpc.kernel.internal.invoke;

import io.microrpc.kernel.internal.plugin.ContextLoader;
import io.microrpc.kernel.internal.plugin.Extensions;
import io.microrpc.spi.Registry;
import io.microrpc.spi.ServiceInstance;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    private final List<RegistryDirectory> directories = new ArrayList<>();
    private Registry bound;

    /** Follows the snapshot's active registry; called after every publish. */
    public synchronized void follow(Extensions snapshot) {
        Registry next = snapshot.registry();
        boolean serializersChanged = refreshSerializers(snapshot.serializerNameList());
        if (next == bound) {
            if (serializersChanged && bound != null) {
                // Consumers choose a codec the provider accepts: tell the registry what changed.
                registered.values().forEach(i -> call(bound, "register", i));
            }
            return;
        }
        Registry previous = bound;
        bound = next;
        if (next != null) {
            registered.values().forEach(i -> call(next, "register", i));
            log.info("Registry '{}' is active{}", next.name(), previous == null ? "" : " (was '" + previous.name() + "')");
        }
        directories.forEach(d -> d.bind(next));
        // The previous registry is not asked to unregister: it may be the same backend under a new
        // version, where that would delete the registration just made. Its plugin's stop() ends its
        // session (and so its ephemeral registrations) once its calls have drained.
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
        registered.put(instance.service(), instance);
        if (bound != null) {
            call(bound, "register", instance);
        }
    }

    /** Unregisters the instance of {@code service}, if registered. */
    public synchronized void unregister(String service) {
        ServiceInstance i = registered.remove(service);
        if (i != null && bound != null) {
            call(bound, "unregister", i);
        }
    }

    /** Unregisters every instance: the first step of a graceful shutdown. */
    public synchronized void unregisterAll() {
        if (bound != null) {
            registered.values().forEach(i -> call(bound, "unregister", i));
        }
        registered.clear();
    }

    synchronized RegistryDirectory directory(String service, io.microrpc.kernel.internal.transport.ClientTransport transport) {
        RegistryDirectory d = new RegistryDirectory(service, transport);
        directories.add(d);
        d.bind(bound);
        return d;
    }

    public synchronized boolean hasRegistry() {
        return bound != null;
    }

    public synchronized void close() {
        directories.forEach(RegistryDirectory::close);
        directories.clear();
    }

    private static void call(Registry r, String what, ServiceInstance instance) {
        ClassLoader previous = ContextLoader.enter(r);
        try {
            if (what.equals("register")) {
                r.register(instance);
            } else {
                r.unregister(instance);
            }
        } catch (Exception | LinkageError e) {
            log.warn("Registry '{}' failed to {} {}", r.name(), what, instance, e);
        } finally {
            ContextLoader.exit(previous);
        }
    }
}
