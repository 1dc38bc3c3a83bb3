package io.microrpc.kernel.internal.invoke;

import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.internal.metrics.KernelMetrics;
import io.microrpc.kernel.internal.plugin.ExtensionSnapshots;
import io.microrpc.kernel.internal.tls.TransportSecurity;
import io.microrpc.kernel.internal.transport.ClientTransport;
import io.microrpc.kernel.internal.transport.KernelThreadFactory;
import io.microrpc.spi.Ticker;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timer;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client half of the kernel: creates reference proxies and owns what they share, the transport
 * (one connection per address) and the timer wheel that times calls out. Thread-safe.
 */
public final class ClientRuntime implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClientRuntime.class);

    private final KernelSettings settings;
    private final ExtensionSnapshots extensions;
    private final Ticker ticker;
    private final ClientTransport transport;
    private final Timer timer;

    private final RegistryBinding registries;
    private final KernelMetrics metrics;
    /** Services with a reference, by direct addresses or through the registry. */
    private final Set<String> referenced = ConcurrentHashMap.newKeySet();
    /** The handlers of the live references, told when the extensions change; a dropped proxy is forgotten. */
    private final Set<ReferenceInvoker> handlers =
            Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    public ClientRuntime(
            KernelSettings settings,
            ExtensionSnapshots extensions,
            Ticker ticker,
            RegistryBinding registries,
            KernelMetrics metrics,
            TransportSecurity security) {
        this.settings = settings;
        this.metrics = metrics;
        this.registries = registries;
        this.extensions = extensions;
        this.ticker = ticker;
        this.transport = new ClientTransport(settings, security);
        // 10 ms ticks: timeouts are precise to a tick, and the wheel costs O(1) per call.
        this.timer = new HashedWheelTimer(new KernelThreadFactory("microrpc-timer"), 10, TimeUnit.MILLISECONDS, 1024);
        extensions.onPublish(next -> {
            List<ReferenceInvoker> live;
            synchronized (handlers) {
                live = new ArrayList<>(handlers);
            }
            live.forEach(h -> h.extensionsChanged(next));
        });
    }

    /**
     * A proxy of {@code type} that calls the providers at {@code addresses}. Waits up to the connect
     * timeout for a first connection, so the first call does not fail while connecting; the proxy is
     * returned either way and calls fail with {@code UNAVAILABLE} until a provider is reachable.
     */
    public <T> T reference(
            Class<T> type,
            List<String> addresses,
            Duration timeout,
            String serializer,
            List<Class<?>> extraAllowedTypes) {
        ServiceModel model = ServiceModel.of(type, extraAllowedTypes);
        Directory directory;
        if (addresses.isEmpty()) {
            if (!registries.hasRegistry()) {
                throw new IllegalArgumentException(
                        "no addresses given for " + model.name() + " and no Registry plugin is "
                                + "loaded; pass provider addresses (host:port), or put plugin-registry-zookeeper in "
                                + settings.pluginsDir() + "/");
            }
            directory = registries.directory(model.name(), transport);
        } else {
            List<HostPort> parsed = addresses.stream().map(HostPort::parse).collect(Collectors.toList());
            directory = new DirectDirectory(model.name(), parsed, transport);
        }
        referenced.add(model.name());
        awaitFirstConnection(directory);
        ReferenceInvoker handler = new ReferenceInvoker(
                model, directory, extensions, settings, ticker, timer, timeout, serializer, metrics);
        handlers.add(handler);
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
        return type.cast(proxy);
    }

    /**
     * Waits (at most {@code call.connect-timeout}) until some provider is connected, so the first call
     * does not fail while the registry answers or the connection is being set up.
     */
    private void awaitFirstConnection(Directory directory) {
        long deadline = System.nanoTime() + settings.callConnectTimeout().toNanos();
        while (directory.ready().isEmpty()) {
            if (System.nanoTime() > deadline || Thread.currentThread().isInterrupted()) {
                log.warn(
                        "No provider reachable yet ({}); calls fail with UNAVAILABLE until one is",
                        directory.describe());
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    /** The services this kernel has created a reference to (direct addresses or registry), sorted. */
    public Set<String> referencedServices() {
        return Collections.unmodifiableSet(new TreeSet<>(referenced));
    }

    public ClientTransport transport() {
        return transport;
    }

    @Override
    public void close() {
        registries.close();
        transport.close();
        timer.stop();
    }
}
