package io.microrpc.kernel.internal.invoke;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.internal.plugin.ContextLoader;
import io.microrpc.kernel.internal.protocol.Protocol;
import io.microrpc.kernel.internal.transport.ClientTransport;
import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Registry;
import io.microrpc.spi.ServiceInstance;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Endpoints of one service as a registry reports them. Follows the registry's pushes (reusing the
 * endpoint, and so its statistics, of a provider that stays), and moves to another registry when the
 * active one is replaced: it subscribes to the new one before closing the old subscription, and ignores
 * the new one's empty lists until it has reported a provider, so a switch never empties the list.
 * Thread-safe.
 */
final class RegistryDirectory implements Directory {

    private static final Logger log = LoggerFactory.getLogger(RegistryDirectory.class);

    private final String service;
    private final ClientTransport transport;
    private volatile List<EndpointImpl> endpoints = List.of();
    private final ReadyEndpoints ready = new ReadyEndpoints();
    private Registry registry;
    private Registry.Subscription subscription;
    private long generation;
    private boolean heardFromCurrent;
    private boolean closed;
    /** Providers skipped by the last push (logged once while they stay). */
    private Set<String> skipped = Set.of();

    RegistryDirectory(String service, ClientTransport transport) {
        this.service = service;
        this.transport = transport;
    }

    /** Subscribes through {@code next}, then drops the previous subscription. Null unsubscribes. */
    synchronized void bind(Registry next) {
        if (closed || next == registry) {
            return;
        }
        Registry.Subscription previous = subscription;
        boolean switching = registry != null;
        long mine = ++generation;
        registry = next;
        heardFromCurrent = !switching;
        subscription = null;
        if (next != null) {
            ClassLoader cl = ContextLoader.enter(next);
            try {
                subscription = next.subscribe(service, providers -> onProviders(mine, providers));
            } catch (RuntimeException | LinkageError e) {
                log.warn(
                        "Registry '{}' failed to subscribe to {}; keeping the last known providers",
                        next.name(),
                        service,
                        e);
            } finally {
                ContextLoader.exit(cl);
            }
        }
        close(previous);
    }

    private synchronized void onProviders(long subscriptionGeneration, List<ServiceInstance> providers) {
        if (closed || subscriptionGeneration != generation) {
            return;
        }
        if (providers.isEmpty() && !heardFromCurrent) {
            log.info(
                    "Ignoring an empty provider list for {} from the registry just switched to; keeping {} known providers",
                    service,
                    endpoints.size());
            return;
        }
        heardFromCurrent = true;
        Set<String> skippedNow = new HashSet<>();
        Map<String, EndpointImpl> known = new HashMap<>();
        for (EndpointImpl e : endpoints) {
            known.put(e.address(), e);
        }
        List<EndpointImpl> next = new ArrayList<>();
        for (ServiceInstance p : providers) {
            if (p.protocolVersion() != Protocol.VERSION) {
                if (known.containsKey(p.address()) || !skipped.contains(p.address())) {
                    log.warn(
                            "Skipping provider {} of {}: it speaks protocol version {}, this kernel speaks {} "
                                    + "(upgrade one side; docs/PROTOCOL.md)",
                            p.address(),
                            service,
                            p.protocolVersion(),
                            Protocol.VERSION);
                }
                skippedNow.add(p.address());
                continue;
            }
            boolean tls = "true".equals(p.metadata().get(MicroRpc.TLS_METADATA));
            if (tls != transport.secure()) {
                if (known.containsKey(p.address()) || !skipped.contains(p.address())) {
                    log.warn(
                            tls
                                    ? "Skipping provider {} of {}: it speaks only TLS and this kernel has tls.enabled=false"
                                            + " (docs/SECURITY.md)"
                                    : "Skipping provider {} of {}: it speaks plaintext and this kernel has"
                                            + " tls.enabled=true; it is not dialled without TLS (docs/SECURITY.md)",
                            p.address(),
                            service);
                }
                skippedNow.add(p.address());
                continue;
            }
            EndpointImpl e = known.get(p.address());
            if (e == null) {
                e = new EndpointImpl(p, transport.connection(p.host(), p.port()));
            } else {
                e.update(p);
            }
            next.add(e);
        }
        endpoints = List.copyOf(next);
        skipped = skippedNow;
        log.debug("Providers of {}: {}", service, endpoints);
    }

    String service() {
        return service;
    }

    @Override
    public List<Endpoint> ready() {
        return ready.of(endpoints);
    }

    @Override
    public List<? extends Endpoint> all() {
        return endpoints;
    }

    @Override
    public String describe() {
        Registry r = registry;
        return "registry " + (r == null ? "(none)" : "'" + r.name() + "'") + " providers " + endpoints;
    }

    @Override
    public synchronized void close() {
        closed = true;
        close(subscription);
        subscription = null;
    }

    private static void close(Registry.Subscription s) {
        if (s == null) {
            return;
        }
        try {
            s.close();
        } catch (RuntimeException | LinkageError e) {
            log.debug("Closing a subscription failed", e);
        }
    }
}
