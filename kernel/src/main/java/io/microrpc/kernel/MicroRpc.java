package io.microrpc.kernel;

import com.codahale.metrics.MetricRegistry;
import io.microrpc.kernel.config.ConfigException;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.internal.invoke.ClientRuntime;
import io.microrpc.kernel.internal.invoke.ExportedServices;
import io.microrpc.kernel.internal.invoke.RegistryBinding;
import io.microrpc.kernel.internal.invoke.ServerDispatcher;
import io.microrpc.kernel.internal.invoke.ServicePluginExporter;
import io.microrpc.kernel.internal.metrics.KernelMetrics;
import io.microrpc.kernel.internal.plugin.EventLog;
import io.microrpc.kernel.internal.plugin.ExtensionPoints;
import io.microrpc.kernel.internal.plugin.ExtensionSnapshots;
import io.microrpc.kernel.internal.plugin.KernelPluginContext;
import io.microrpc.kernel.internal.plugin.KernelResources;
import io.microrpc.kernel.internal.plugin.LoadedExtension;
import io.microrpc.kernel.internal.plugin.PluginHost;
import io.microrpc.kernel.internal.plugin.PluginLifecycle;
import io.microrpc.kernel.internal.protocol.Protocol;
import io.microrpc.kernel.internal.tls.TransportSecurity;
import io.microrpc.kernel.internal.transport.AdvertisedHost;
import io.microrpc.kernel.internal.transport.ServerTransport;
import io.microrpc.kernel.internal.transport.Transports;
import io.microrpc.kernel.plugin.KernelEvent;
import io.microrpc.kernel.plugin.PluginReport;
import io.microrpc.spi.Pluggable;
import io.microrpc.spi.ServiceDefinition;
import io.microrpc.spi.ServiceInstance;
import io.microrpc.spi.Ticker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The microrpc kernel, embedded in an application.
 *
 * <pre>{@code
 * try (MicroRpc rpc = MicroRpc.builder().pluginsDir(Path.of("plugins")).start()) {
 *     rpc.export(EchoService.class, new MyEcho());
 *     EchoService echo = rpc.reference(EchoService.class, "127.0.0.1:7420");
 * }
 * }</pre>
 *
 * <p>{@link Builder#start()} loads every plugin of the plugins folder and exports the services that
 * service plugins contribute. The server socket is bound on the first export. {@link #close()} shuts
 * down gracefully: stop accepting, tell clients this node is going away, let in-flight calls finish
 * (bounded by {@code server.shutdown-timeout}), then close. Thread-safe.
 */
public final class MicroRpc implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MicroRpc.class);

    /**
     * How long a shutdown waits for the registry to unregister this kernel's services. Short, so a stop
     * with the registry unreachable still fits a supervisor's grace period: the registry drops what is
     * left when this process's session ends (ZooKeeper: its ephemeral nodes).
     */
    static final Duration UNREGISTER_TIMEOUT = Duration.ofSeconds(3);

    /**
     * The metadata key registries publish with each service: {@code true} when its server speaks only TLS.
     * A consumer dials only providers whose value matches its own {@code tls.enabled}.
     */
    public static final String TLS_METADATA = "tls";

    /** The settings in force: the start settings with every live key as last reconfigured. */
    private volatile KernelSettings settings;

    private final KernelResources resources;
    private final EventLog events;
    private final PluginHost pluginHost;
    private final PluginLifecycle lifecycle;
    private final ExtensionSnapshots extensions;
    private final List<LoadedExtension> embedded;
    private final ExportedServices exported = new ExportedServices();
    private final ServerDispatcher dispatcher;
    private final ClientRuntime client;
    /** The kernel's TLS, or null without {@code tls.enabled}. */
    private final TransportSecurity security;

    private final RegistryBinding registries = new RegistryBinding();
    private final KernelAdmin admin;
    private final List<Class<?>> extraAllowedTypes;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final long startedMillis;
    private final KernelMetrics metrics;
    private Path configFile;
    private Supplier<KernelSettings> configReader;
    /** The configuration file's content last seen by its watcher; lifecycle thread only. */
    private String configContent;

    private volatile ServerTransport server;
    private InetSocketAddress boundAddress;
    /** The interface address advertised when bound to the wildcard address; chosen on the first export. */
    private String interfaceHost;

    private boolean closed;

    private MicroRpc(Builder b) {
        this.settings = b.settings;
        this.security = TransportSecurity.start(settings);
        this.resources = new KernelResources(b.ticker, b.clock);
        this.startedMillis = b.clock.millis();
        this.extraAllowedTypes = resolveAllowedTypes(settings.serializerAllowedTypes());
        this.events = new EventLog(b.clock);
        this.extensions = new ExtensionSnapshots(settings, events);
        this.embedded = new ArrayList<>();
        this.metrics = new KernelMetrics(settings.metricsEnabled(), b.ticker);
        this.dispatcher = new ServerDispatcher(exported, extensions, settings, b.ticker, metrics);
        this.client = new ClientRuntime(settings, extensions, b.ticker, registries, metrics, security);
        extensions.onPublish(registries::follow);
        this.admin = new KernelAdmin(this, extensions, registries, events);
        PluginHost.SwapListener exporter = b.exportServicePlugins
                ? new ServicePluginExporter(exported, extraAllowedTypes, this::exported, this::unexported)
                : next -> {};
        try {
            Files.createDirectories(settings.dataDir());
            for (Pluggable e : b.extensions) {
                startEmbedded(e);
            }
        } catch (IOException e) {
            resources.close();
            if (security != null) {
                security.close();
            }
            throw new UncheckedIOException("cannot create data.dir " + settings.dataDir(), e);
        }
        this.pluginHost = new PluginHost(settings, resources, extensions, embedded, exporter, events);
        this.lifecycle = new PluginLifecycle(settings, pluginHost);
        metrics.counter("microrpc_plugin_unloads_total", pluginHost::unloadedGenerations);
        metrics.gauge("microrpc_server_in_flight", dispatcher::inFlight);
        metrics.gauge("microrpc_server_connections", () -> serverFigure(ServerTransport::connectionCount));
        metrics.counter(
                "microrpc_server_connections_refused_total", () -> serverFigure(ServerTransport::refusedConnections));
        metrics.gauge("microrpc_server_buffered_bytes", () -> serverFigure(ServerTransport::bufferedBytes));
        metrics.counter("microrpc_server_frames_refused_total", () -> serverFigure(ServerTransport::refusedFrames));
        metrics.counter("microrpc_server_frame_timeouts_total", () -> serverFigure(ServerTransport::frameTimeouts));
        try {
            exporter.beforePublish(embedded);
            extensions.publish(embedded);
            if (b.loadPlugins) {
                lifecycle.start();
            }
            this.configFile = b.configFile;
            this.configReader = b.configReader;
            if (configFile != null && settings.configWatch()) {
                configContent = contentOf(configFile);
                lifecycle.watchConfig(configFile, this::configFileChanged);
            }
        } catch (RuntimeException | Error e) {
            // Nothing may keep running (threads, sockets, plugins) when start fails.
            close();
            throw e;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The kernel's version, the one plugins' {@code Plugin-Requires} is checked against. */
    public static String version() {
        return KernelResources.version();
    }

    private void startEmbedded(Pluggable e) {
        List<ExtensionPoints> points = ExtensionPoints.of(e);
        if (points.isEmpty()) {
            throw new IllegalArgumentException("extension: " + e.getClass().getName()
                    + " (expected: an implementation of an io.microrpc.spi extension point)");
        }
        try {
            Path data = Files.createDirectories(
                    settings.dataDir().resolve("plugins").resolve("embedded"));
            e.start(new KernelPluginContext(
                    settings.extensionConfig(points.get(0).key(), e.name()), resources, data));
        } catch (Exception ex) {
            throw new IllegalStateException("extension " + e.name() + " failed to start: " + ex.getMessage(), ex);
        }
        embedded.add(new LoadedExtension(e, "embedded", "-"));
    }

    private static List<Class<?>> resolveAllowedTypes(List<String> names) {
        List<Class<?>> out = new ArrayList<>();
        for (String n : names) {
            try {
                out.add(Class.forName(n, false, MicroRpc.class.getClassLoader()));
            } catch (ClassNotFoundException e) {
                throw new ConfigException(
                        "serializer.allowed-types: class '" + n + "' not found on the kernel's class path");
            }
        }
        return out;
    }

    /** Exports {@code implementation} as {@code type}; binds the server on the first export. */
    public <T> void export(Class<T> type, T implementation) {
        export(ServiceDefinition.of(type, implementation));
    }

    public synchronized void export(ServiceDefinition<?> definition) {
        checkOpen();
        exported.export(definition, extraAllowedTypes);
        log.info("Exported {}", definition);
        exported(definition.serviceName());
    }

    /** A service is exported: make sure the server listens, and register the service. */
    private void exported(String service) {
        ensureServer();
        InetSocketAddress a = address();
        ServiceInstance.Builder instance = ServiceInstance.builder(service, advertisedHost(), a.getPort())
                .weight(settings.serverWeight())
                .protocolVersion(Protocol.VERSION)
                .serializers(extensions.current().serializerNameList())
                .startTimestampMillis(startedMillis);
        if (security != null) {
            instance.metadata(TLS_METADATA, "true");
        }
        registries.register(instance.build());
    }

    private void unexported(String service) {
        registries.unregister(service);
    }

    /**
     * The host registries publish: {@code server.advertise-host}, else the bind host, else (bound to the
     * wildcard address) an address of this machine's network interfaces, chosen once and logged.
     */
    private synchronized String advertisedHost() {
        if (!settings.serverAdvertiseHost().isEmpty()) {
            return settings.serverAdvertiseHost();
        }
        String bind = settings.serverHost();
        if (!bind.equals("0.0.0.0") && !bind.equals("::")) {
            return bind;
        }
        if (interfaceHost == null) {
            interfaceHost = AdvertisedHost.choose(AdvertisedHost.ofThisMachine())
                    .map(c -> {
                        log.info(
                                "Registries publish {} ({}) for this server, bound to {}; set server.advertise-host to publish "
                                        + "another address",
                                c.host(),
                                c.interfaceName(),
                                bind);
                        return c.host();
                    })
                    .orElseGet(() -> {
                        log.warn(
                                "This machine has no network interface address but loopback: registries publish 127.0.0.1 for "
                                        + "this server, which no other machine can reach; set server.advertise-host to the address "
                                        + "consumers should dial");
                        return "127.0.0.1";
                    });
        }
        return interfaceHost;
    }

    /** How this kernel's connections are secured: "plaintext", or "TLS, " and the TLS implementation. */
    public String transportSecurity() {
        return security == null ? "plaintext" : "TLS, " + security.providerName();
    }

    /** A figure of the server transport for the metrics; 0 before the first export. */
    private long serverFigure(ToLongFunction<ServerTransport> figure) {
        ServerTransport s = server;
        return s == null ? 0 : figure.applyAsLong(s);
    }

    private synchronized void ensureServer() {
        if (server != null || closed) {
            return;
        }
        if (security != null && !security.canServe()) {
            throw new ConfigException("tls.enabled is true but tls.cert and tls.key are not set: a server needs a"
                    + " certificate and its key to serve TLS (docs/SECURITY.md; `microrpc tls-init DIR` writes a"
                    + " development set)");
        }
        server = new ServerTransport(settings, dispatcher, security);
        try {
            boundAddress = server.bind(settings.serverHost(), settings.serverPort());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding", e);
        } catch (Exception e) {
            server.close();
            server = null;
            throw new IllegalStateException(
                    "cannot listen on " + settings.serverHost() + ':' + settings.serverPort() + " (" + e.getMessage()
                            + "); set server.port to a free port, or 0 for any",
                    e);
        }
        log.info(
                "microrpc {} listening on {} ({} transport, {})",
                resources.kernelVersion(),
                boundAddress,
                Transports.name(),
                transportSecurity());
    }

    /** A reference to {@code type} calling the providers at {@code addresses} ({@code host:port}). */
    public <T> T reference(Class<T> type, String... addresses) {
        return reference(
                type, ReferenceOptions.builder().addresses(List.of(addresses)).build());
    }

    public <T> T reference(Class<T> type, ReferenceOptions options) {
        checkOpen();
        Objects.requireNonNull(type, "type");
        List<Class<?>> allowed = new ArrayList<>(extraAllowedTypes);
        allowed.addAll(options.allowedTypes());
        return client.reference(
                type,
                options.addresses(),
                options.timeout() != null ? options.timeout() : settings.callTimeout(),
                options.serializer(),
                allowed);
    }

    /** The address the server listens on; fails when nothing is exported yet. */
    public synchronized InetSocketAddress address() {
        if (boundAddress == null) {
            throw new IllegalStateException("no server: nothing is exported yet");
        }
        return boundAddress;
    }

    /** The port the server listens on. */
    public int port() {
        return address().getPort();
    }

    /** The services this kernel serves. */
    public Set<String> exportedServices() {
        return exported.names();
    }

    /** The services this kernel has references to, by direct addresses or through the registry, sorted. */
    public Set<String> referencedServices() {
        return client.referencedServices();
    }

    /**
     * The kernel's metrics: per method, on the client and the server side, calls by status and latency
     * ({@code microrpc.<side>.<service>.<method>.*}), and plugin gauges. Attach any Dropwizard reporter
     * (JMX, Graphite, a log); the admin endpoint serves them as Prometheus text at {@code GET /metrics}.
     * Empty of call metrics when {@code metrics.enabled=false}.
     */
    public MetricRegistry metrics() {
        return metrics.registry();
    }

    /** The metrics in the Prometheus text format, as {@code GET /metrics} serves them. */
    public String metricsText() {
        return metrics.prometheus();
    }

    /** What happened to each JAR of the plugins folder. */
    public List<PluginReport> plugins() {
        return pluginHost.reports();
    }

    /** Loaded plugin generations, active and still draining, e.g. {@code codec-protostuff 0.1.0 #2 (...) active}. */
    public List<String> generations() {
        return pluginHost.generations();
    }

    /**
     * The operations an operator performs on this running kernel: switching the active extension of a
     * point, describing what is active, setting the weight it publishes, listing discovered providers.
     */
    public KernelAdmin admin() {
        return admin;
    }

    /**
     * Applies the plugins folder as it is now (waiting for files still being written), instead of
     * waiting for the watcher. Returns when done.
     */
    public void reloadPlugins() {
        lifecycle.reconcileNow();
    }

    /**
     * Applies the live keys of {@code next} to this running kernel, atomically, for new calls: the
     * strategies ({@code loadbalancer}, {@code cluster}, {@code registry}, {@code filters},
     * {@code call.serializer}, per-service choices), every extension key (an extension whose keys changed
     * is replaced by a new instance started with them, the old one finishing its calls), {@code server.weight}
     * and the plugin timings. Keys that take effect only at restart (ports, threads, paths) keep their
     * running value and are named in a warning. An invalid change (a name no loaded plugin provides, a
     * value an extension refuses) is refused as a whole: nothing changes.
     *
     * @return the live changes applied, e.g. {@code loadbalancer: p2c,round-robin -> round-robin}; empty when none
     * @throws ConfigException naming the key and why, when the change is refused
     */
    public List<String> reconfigure(KernelSettings next) {
        checkOpen();
        Objects.requireNonNull(next, "next");
        return lifecycle.run(() -> {
            KernelSettings before = settings;
            for (String c : KernelSettings.changes(before, next, false)) {
                log.warn("Configuration: {} takes effect at restart; keeping the running value", c);
            }
            KernelSettings merged = before.withLiveFrom(next);
            List<String> changes = KernelSettings.changes(before, merged, true);
            if (changes.isEmpty()) {
                return changes;
            }
            try {
                pluginHost.reconfigure(merged);
            } catch (ConfigException e) {
                log.error("Configuration change refused, the running configuration stays: {}", e.getMessage());
                events.add("configuration refused: " + e.getMessage());
                throw e;
            }
            settings = merged;
            if (merged.serverWeight() != before.serverWeight()
                    && !exported.names().isEmpty()) {
                registries.setWeight(null, merged.serverWeight());
            }
            for (String c : changes) {
                log.info("Configuration: {}", c);
                events.add("configuration: " + c);
            }
            return changes;
        });
    }

    /** The watcher saw the configuration file's folder change: reload when the file's content did. */
    private void configFileChanged() {
        String content = contentOf(configFile);
        if (content == null || content.equals(configContent)) {
            return; // unchanged, or being replaced: the next event brings the new file
        }
        configContent = content;
        reloadConfiguration();
    }

    /** The file's bytes as text, for change detection; null when it cannot be read (e.g. while it is replaced). */
    private static String contentOf(Path file) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Reads the configuration file this kernel was started with again and applies it (see
     * {@link #reconfigure}); what the watcher of that file does when it changes.
     *
     * @throws IllegalStateException when the kernel was not started from a file
     * @throws ConfigException when the file cannot be read or parsed, or the change is refused
     */
    public List<String> reloadConfiguration() {
        if (configReader == null) {
            throw new IllegalStateException(
                    "this kernel was not started from a configuration file; call reconfigure(settings)");
        }
        KernelSettings next;
        try {
            next = configReader.get();
        } catch (RuntimeException e) {
            log.error("Configuration file {} refused, the running configuration stays: {}", configFile, e.getMessage());
            events.add("configuration refused: " + e.getMessage());
            throw e instanceof ConfigException c ? c : new ConfigException(e.getMessage(), e);
        }
        return reconfigure(next);
    }

    /** Whether this kernel was started from a configuration file it can read again ({@link #reloadConfiguration}). */
    public boolean hasConfigurationFile() {
        return configReader != null;
    }

    /**
     * The last changes of plugins, strategies and configuration, in an operator's words (oldest first,
     * numbered): those after sequence number {@code after}, or every one kept for {@code 0}.
     */
    public List<KernelEvent> events(long after) {
        return events.since(after);
    }

    /** Active extensions by point, e.g. {@code serializer -> [protostuff (codec-protostuff 0.1.0)]}. */
    public Map<String, List<String>> extensions() {
        return extensions.current().describe();
    }

    /** Calls this kernel has sent and is still waiting for, over all connections. */
    public int pendingCalls() {
        return client.transport().connections().stream()
                .mapToInt(c -> c.pendingCount())
                .sum();
    }

    public KernelSettings settings() {
        return settings;
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    synchronized void checkOpen() {
        if (closed) {
            throw new IllegalStateException("microrpc kernel is closed");
        }
    }

    /**
     * Shuts down gracefully: unregister from the registry (at most 3 s), stop accepting, send GOAWAY to
     * clients, drain in-flight calls (at most {@code server.shutdown-timeout}), then close connections,
     * plugins (their {@code stop()} at most 5 s in all) and threads. A plugin still in its {@code start()}
     * is abandoned, not waited for, so a shutdown finishes in bounded time even while a plugin hangs or
     * calls {@code System.exit} from its start. Idempotent: a second call returns at once
     * ({@link #awaitTermination()} waits for the first to finish).
     */
    @Override
    public void close() {
        ServerTransport s;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            s = server;
        }
        try {
            if (lifecycle != null) {
                // No plugin starts or changes from now on, and none still starting holds up the stop.
                lifecycle.beginClose();
            }
            registries.unregisterAll(UNREGISTER_TIMEOUT);
            if (s != null) {
                long start = resources.ticker().nanoTime();
                s.stopAccepting();
                s.goAway();
                int left = dispatcher.awaitDrained(settings.serverShutdownTimeout());
                long tookMs = (resources.ticker().nanoTime() - start) / 1_000_000;
                if (left > 0) {
                    log.warn(
                            "Shutdown: {} calls still running after server.shutdown-timeout {}; closing anyway",
                            left,
                            settings.serverShutdownTimeout());
                } else {
                    log.info("Shutdown: in-flight calls drained in {} ms", tookMs);
                }
                s.close();
            }
            dispatcher.close();
            client.close();
            if (lifecycle != null) {
                lifecycle.close();
            }
            for (LoadedExtension e : embedded) {
                try {
                    e.extension().stop();
                } catch (RuntimeException ex) {
                    log.warn("Extension {} failed to stop", e.name(), ex);
                }
            }
            if (security != null) {
                security.close();
            }
            resources.close();
        } finally {
            terminated.countDown();
        }
    }

    /** Collects start options; {@link #start()} builds the kernel. Not thread-safe. */
    public static final class Builder {
        private KernelSettings settings = KernelSettings.defaults();
        private Ticker ticker = Ticker.system();
        private Clock clock = Clock.systemUTC();
        private final List<Pluggable> extensions = new ArrayList<>();
        private boolean loadPlugins = true;
        private boolean exportServicePlugins = true;
        private Path configFile;
        private Supplier<KernelSettings> configReader;

        private Builder() {}

        /**
         * Starts from the configuration {@code file}, read by {@code reader} (which applies command-line
         * overrides, if any), and watches it: edits of live keys apply while the kernel runs
         * ({@code config.watch}, see {@link MicroRpc#reconfigure}).
         */
        public Builder configFile(Path file, Supplier<KernelSettings> reader) {
            this.configFile = Objects.requireNonNull(file, "file");
            this.configReader = Objects.requireNonNull(reader, "reader");
            this.settings = reader.get();
            return this;
        }

        public Builder settings(KernelSettings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** Shorthand for settings with another {@code plugins.dir}. */
        public Builder pluginsDir(Path dir) {
            this.settings = settings.toBuilder().pluginsDir(dir).build();
            return this;
        }

        /** Loads the plugins folder at start (default true). */
        public Builder loadPlugins(boolean load) {
            this.loadPlugins = load;
            return this;
        }

        /** Exports the services of service plugins at start (default true). */
        public Builder exportServicePlugins(boolean export) {
            this.exportServicePlugins = export;
            return this;
        }

        /** Adds an extension from the application's own class path, beside those of plugins. */
        public Builder extension(Pluggable extension) {
            extensions.add(Objects.requireNonNull(extension, "extension"));
            return this;
        }

        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public MicroRpc start() {
            return new MicroRpc(this);
        }
    }
}
