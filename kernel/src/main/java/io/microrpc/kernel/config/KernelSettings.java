package io.microrpc.kernel.config;

import io.microrpc.spi.Durations;
import io.microrpc.spi.PluginConfig;
import io.microrpc.spi.ServiceInstance;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Every kernel setting, typed and immutable. Parsed once from {@code conf/microrpc.properties} (see
 * {@code docs/CONFIGURATION.md} for each key) or built in code with {@link #builder()}.
 *
 * <p>Keys the kernel does not know are refused, so a typo fails at start instead of being ignored,
 * except keys under an extension prefix ({@code serializer.<name>.}, {@code loadbalancer.<name>.},
 * {@code cluster.<name>.}, {@code filter.<name>.}, {@code registry.<name>.},
 * {@code service.<name>.}), which are handed to that extension as its {@link PluginConfig}.
 */
public final class KernelSettings {

    /** The extension points whose plugins take configuration, by key prefix. */
    public static final Set<String> EXTENSION_PREFIXES =
            Set.of("serializer", "loadbalancer", "cluster", "filter", "registry", "service");

    private final String serverHost;
    private final String serverAdvertiseHost;
    private final int serverPort;
    private final int serverWeight;
    private final int serverIoThreads;
    private final int serverWorkerThreads;
    private final int serverWorkerQueue;
    private final int serverMaxConnections;
    private final int serverMaxConnectionsPerAddress;
    private final int serverMaxCallsPerConnection;
    private final int serverWriteBufferHighWater;
    private final int serverWriteBufferLowWater;
    private final Duration serverFrameTimeout;
    private final int serverMaxBufferedBytes;
    private final Duration shutdownTimeout;
    private final int clientIoThreads;
    private final Duration callTimeout;
    private final Duration connectTimeout;
    private final String serializer;
    private final Duration heartbeatInterval;
    private final int heartbeatMissedPongs;
    private final Duration reconnectInitialBackoff;
    private final Duration reconnectMaxBackoff;
    private final int maxFrameSize;
    private final Path pluginsDir;
    private final Path dataDir;
    private final boolean pluginsWatch;
    private final Duration pluginsWatchDebounce;
    private final Duration pluginsDrainTimeout;
    private final Duration pluginsReplaceGrace;
    private final Duration pluginsStartTimeout;
    private final boolean configWatch;
    private final List<String> allowedTypes;
    private final String adminHost;
    private final int adminPort;
    private final Duration adminRequestTimeout;
    private final boolean metricsEnabled;
    private final String loadBalancer;
    private final String clusterPolicy;
    private final List<String> filters;
    private final String registry;
    private final Map<String, String> extensionKeys;
    private final Map<String, Map<String, String>> serviceSelections;

    private KernelSettings(Builder b) {
        this.serverHost = b.serverHost;
        this.serverAdvertiseHost = b.serverAdvertiseHost;
        this.serverPort = b.serverPort;
        this.serverWeight = b.serverWeight;
        this.serverIoThreads = b.serverIoThreads;
        this.serverWorkerThreads = b.serverWorkerThreads;
        this.serverWorkerQueue = b.serverWorkerQueue;
        this.serverMaxConnections = b.serverMaxConnections;
        this.serverMaxConnectionsPerAddress = b.serverMaxConnectionsPerAddress;
        this.serverMaxCallsPerConnection = b.serverMaxCallsPerConnection;
        this.serverWriteBufferHighWater = b.serverWriteBufferHighWater;
        this.serverWriteBufferLowWater = b.serverWriteBufferLowWater;
        this.serverFrameTimeout = b.serverFrameTimeout;
        this.serverMaxBufferedBytes = b.serverMaxBufferedBytes;
        this.shutdownTimeout = b.shutdownTimeout;
        this.clientIoThreads = b.clientIoThreads;
        this.callTimeout = b.callTimeout;
        this.connectTimeout = b.connectTimeout;
        this.serializer = b.serializer;
        this.heartbeatInterval = b.heartbeatInterval;
        this.heartbeatMissedPongs = b.heartbeatMissedPongs;
        this.reconnectInitialBackoff = b.reconnectInitialBackoff;
        this.reconnectMaxBackoff = b.reconnectMaxBackoff;
        this.maxFrameSize = b.maxFrameSize;
        this.pluginsDir = b.pluginsDir;
        this.dataDir = b.dataDir;
        this.pluginsWatch = b.pluginsWatch;
        this.pluginsWatchDebounce = b.pluginsWatchDebounce;
        this.pluginsDrainTimeout = b.pluginsDrainTimeout;
        this.pluginsReplaceGrace = b.pluginsReplaceGrace;
        this.pluginsStartTimeout = b.pluginsStartTimeout;
        this.configWatch = b.configWatch;
        this.allowedTypes = List.copyOf(b.allowedTypes);
        this.adminHost = b.adminHost;
        this.adminPort = b.adminPort;
        this.adminRequestTimeout = b.adminRequestTimeout;
        this.metricsEnabled = b.metricsEnabled;
        this.loadBalancer = b.loadBalancer;
        this.clusterPolicy = b.clusterPolicy;
        this.filters = List.copyOf(b.filters);
        this.registry = b.registry;
        this.extensionKeys = Collections.unmodifiableMap(new TreeMap<>(b.extensionKeys));
        Map<String, Map<String, String>> sel = new TreeMap<>();
        b.serviceSelections.forEach((point, m) -> sel.put(point, Collections.unmodifiableMap(new TreeMap<>(m))));
        this.serviceSelections = Collections.unmodifiableMap(sel);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The defaults, as documented in docs/CONFIGURATION.md. */
    public static KernelSettings defaults() {
        return builder().build();
    }

    /** Reads a properties file; unknown keys and bad values fail with a message naming the file and key. */
    public static KernelSettings load(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage(), e);
        }
        try {
            return fromProperties(p);
        } catch (ConfigException e) {
            throw new ConfigException(file + ": " + e.getMessage(), e);
        }
    }

    public static KernelSettings fromProperties(Properties properties) {
        return builder().apply(properties).build();
    }

    public String serverHost() {
        return serverHost;
    }

    /** The host registries publish for this server; empty derives it from server.host or this machine. */
    public String serverAdvertiseHost() {
        return serverAdvertiseHost;
    }

    /** The weight registries publish for this kernel's services (0 = no traffic); changeable at runtime. */
    public int serverWeight() {
        return serverWeight;
    }

    /** 0 picks a free port. */
    public int serverPort() {
        return serverPort;
    }

    /** 0 means Netty's default (2 × cores). */
    public int serverIoThreads() {
        return serverIoThreads;
    }

    public int serverWorkerThreads() {
        return serverWorkerThreads;
    }

    public int serverWorkerQueue() {
        return serverWorkerQueue;
    }

    /** Connections the server accepts at once, from all clients together. */
    public int serverMaxConnections() {
        return serverMaxConnections;
    }

    /** Connections the server accepts at once from one remote IP address. */
    public int serverMaxConnectionsPerAddress() {
        return serverMaxConnectionsPerAddress;
    }

    /** Calls one connection may have in flight on the server; beyond it, RESOURCE_EXHAUSTED. */
    public int serverMaxCallsPerConnection() {
        return serverMaxCallsPerConnection;
    }

    /** Unsent bytes of one connection above which the server stops reading from it. */
    public int serverWriteBufferHighWater() {
        return serverWriteBufferHighWater;
    }

    /** Unsent bytes of one connection below which the server reads from it again. */
    public int serverWriteBufferLowWater() {
        return serverWriteBufferLowWater;
    }

    /** The time a client has to finish sending a frame it started. */
    public Duration serverFrameTimeout() {
        return serverFrameTimeout;
    }

    /** Bytes the server holds for incomplete frames, across all connections. */
    public int serverMaxBufferedBytes() {
        return serverMaxBufferedBytes;
    }

    public Duration shutdownTimeout() {
        return shutdownTimeout;
    }

    /** 0 means Netty's default (2 × cores). */
    public int clientIoThreads() {
        return clientIoThreads;
    }

    public Duration callTimeout() {
        return callTimeout;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** The name of the serializer references use. */
    public String serializer() {
        return serializer;
    }

    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    public int heartbeatMissedPongs() {
        return heartbeatMissedPongs;
    }

    public Duration reconnectInitialBackoff() {
        return reconnectInitialBackoff;
    }

    public Duration reconnectMaxBackoff() {
        return reconnectMaxBackoff;
    }

    public int maxFrameSize() {
        return maxFrameSize;
    }

    public Path pluginsDir() {
        return pluginsDir;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Whether the kernel watches the plugins folder and applies changes at runtime. */
    public boolean pluginsWatch() {
        return pluginsWatch;
    }

    /** How long a plugin file must stay unchanged before the watcher acts on it. */
    public Duration pluginsWatchDebounce() {
        return pluginsWatchDebounce;
    }

    /** How long a replaced plugin's in-flight calls may take before it is unloaded anyway. */
    public Duration pluginsDrainTimeout() {
        return pluginsDrainTimeout;
    }

    /**
     * How long the removal of a plugin is held back while a file that may replace it is still being
     * written (or a JAR deleted moments ago may be followed by its successor).
     */
    public Duration pluginsReplaceGrace() {
        return pluginsReplaceGrace;
    }

    /** How long a plugin's start() may take before the plugin is reported FAILED. */
    public Duration pluginsStartTimeout() {
        return pluginsStartTimeout;
    }

    /** Whether a running kernel watches its configuration file and applies edits of live keys. */
    public boolean configWatch() {
        return configWatch;
    }

    /** Address of the admin HTTP endpoint that {@code serve} and {@code demo} start. */
    public String adminHost() {
        return adminHost;
    }

    /** Port of the admin endpoint; -1 disables it, 0 picks a free port. */
    public int adminPort() {
        return adminPort;
    }

    /** The time an admin client has to send a whole request. */
    public Duration adminRequestTimeout() {
        return adminRequestTimeout;
    }

    /** Whether calls are counted and timed per method ({@code GET /metrics}, {@code MicroRpc.metrics()}). */
    public boolean metricsEnabled() {
        return metricsEnabled;
    }

    /** Extra class names serializers may instantiate. */
    public List<String> allowedTypes() {
        return allowedTypes;
    }

    /** The active load balancer's name; empty picks the only (or first by name) loaded one. */
    public String loadBalancer() {
        return loadBalancer;
    }

    /** The active cluster policy's name; empty picks the only (or first by name) loaded one. */
    public String clusterPolicy() {
        return clusterPolicy;
    }

    /** Names of the active filters; empty activates every loaded filter. */
    public List<String> filters() {
        return filters;
    }

    /** The active registry's name; empty uses the only (or first by name) loaded one, if any. */
    public String registry() {
        return registry;
    }

    /**
     * Per-service choices, by point ({@code loadbalancer}, {@code cluster}, {@code serializer}) then
     * service: from keys such as {@code loadbalancer[io.example.UserService]=consistent-hash}.
     */
    public Map<String, Map<String, String>> serviceSelections() {
        return serviceSelections;
    }

    /** The configuration of the extension {@code name} of point {@code point} (e.g. registry, zookeeper). */
    public PluginConfig extensionConfig(String point, String name) {
        String prefix = point + '.' + name + '.';
        Map<String, String> values = new LinkedHashMap<>();
        extensionKeys.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                values.put(k.substring(prefix.length()), v);
            }
        });
        return PluginConfig.of(prefix, values);
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.serverHost = serverHost;
        b.serverAdvertiseHost = serverAdvertiseHost;
        b.serverPort = serverPort;
        b.serverWeight = serverWeight;
        b.serverIoThreads = serverIoThreads;
        b.serverWorkerThreads = serverWorkerThreads;
        b.serverWorkerQueue = serverWorkerQueue;
        b.serverMaxConnections = serverMaxConnections;
        b.serverMaxConnectionsPerAddress = serverMaxConnectionsPerAddress;
        b.serverMaxCallsPerConnection = serverMaxCallsPerConnection;
        b.serverWriteBufferHighWater = serverWriteBufferHighWater;
        b.serverWriteBufferLowWater = serverWriteBufferLowWater;
        b.serverFrameTimeout = serverFrameTimeout;
        b.serverMaxBufferedBytes = serverMaxBufferedBytes;
        b.shutdownTimeout = shutdownTimeout;
        b.clientIoThreads = clientIoThreads;
        b.callTimeout = callTimeout;
        b.connectTimeout = connectTimeout;
        b.serializer = serializer;
        b.heartbeatInterval = heartbeatInterval;
        b.heartbeatMissedPongs = heartbeatMissedPongs;
        b.reconnectInitialBackoff = reconnectInitialBackoff;
        b.reconnectMaxBackoff = reconnectMaxBackoff;
        b.maxFrameSize = maxFrameSize;
        b.pluginsDir = pluginsDir;
        b.dataDir = dataDir;
        b.pluginsWatch = pluginsWatch;
        b.pluginsWatchDebounce = pluginsWatchDebounce;
        b.pluginsDrainTimeout = pluginsDrainTimeout;
        b.pluginsReplaceGrace = pluginsReplaceGrace;
        b.pluginsStartTimeout = pluginsStartTimeout;
        b.configWatch = configWatch;
        b.allowedTypes = new ArrayList<>(allowedTypes);
        b.adminHost = adminHost;
        b.adminPort = adminPort;
        b.adminRequestTimeout = adminRequestTimeout;
        b.metricsEnabled = metricsEnabled;
        b.loadBalancer = loadBalancer;
        b.clusterPolicy = clusterPolicy;
        b.filters = new ArrayList<>(filters);
        b.registry = registry;
        b.extensionKeys = new LinkedHashMap<>(extensionKeys);
        serviceSelections.forEach((point, m) -> b.serviceSelections.put(point, new LinkedHashMap<>(m)));
        return b;
    }

    /** Collects settings; {@link #build()} validates and copies them. Not thread-safe. */
    public static final class Builder {
        private String serverHost = "0.0.0.0";
        private String serverAdvertiseHost = "";
        private int serverPort = 7420;
        private int serverWeight = 100;
        private int serverIoThreads;
        private int serverWorkerThreads = 200;
        private int serverWorkerQueue = 10_000;
        private int serverMaxConnections = 10_000;
        private int serverMaxConnectionsPerAddress = 1_000;
        private int serverMaxCallsPerConnection = 1_000;
        private int serverWriteBufferHighWater = 1024 * 1024;
        private int serverWriteBufferLowWater = 512 * 1024;
        private Duration serverFrameTimeout = Duration.ofSeconds(20);
        private int serverMaxBufferedBytes = 128 * 1024 * 1024;
        private Duration shutdownTimeout = Duration.ofSeconds(10);
        private int clientIoThreads;
        private Duration callTimeout = Duration.ofSeconds(3);
        private Duration connectTimeout = Duration.ofSeconds(3);
        private String serializer = "protostuff";
        private Duration heartbeatInterval = Duration.ofSeconds(10);
        private int heartbeatMissedPongs = 3;
        private Duration reconnectInitialBackoff = Duration.ofMillis(100);
        private Duration reconnectMaxBackoff = Duration.ofSeconds(10);
        private int maxFrameSize = 8 * 1024 * 1024;
        private Path pluginsDir = Path.of("plugins");
        private Path dataDir = Path.of("data");
        private boolean pluginsWatch = true;
        private Duration pluginsWatchDebounce = Duration.ofMillis(500);
        private Duration pluginsDrainTimeout = Duration.ofSeconds(30);
        private Duration pluginsReplaceGrace = Duration.ofSeconds(5);
        private Duration pluginsStartTimeout = Duration.ofSeconds(30);
        private boolean configWatch = true;
        private List<String> allowedTypes = new ArrayList<>();
        private String adminHost = "127.0.0.1";
        private int adminPort = -1;
        private Duration adminRequestTimeout = Duration.ofSeconds(10);
        private boolean metricsEnabled = true;
        private String loadBalancer = "";
        private String clusterPolicy = "";
        private List<String> filters = new ArrayList<>();
        private String registry = "";
        private Map<String, String> extensionKeys = new LinkedHashMap<>();
        private final Map<String, Map<String, String>> serviceSelections = new LinkedHashMap<>();

        private Builder() {}

        /**
         * Chooses the extension(s) of {@code point} ({@code loadbalancer}, {@code cluster} or
         * {@code serializer}) for one service: a name or a preference list.
         */
        public Builder serviceSelection(String point, String service, String names) {
            if (!SERVICE_POINTS.contains(point)) {
                throw new ConfigException(point + "[" + service + "]: unknown point '" + point
                        + "' (expected: loadbalancer, cluster or call.serializer)");
            }
            serviceSelections.computeIfAbsent(point, p -> new LinkedHashMap<>()).put(service, names);
            return this;
        }

        public Builder serverHost(String v) {
            serverHost = Objects.requireNonNull(v, "serverHost");
            return this;
        }

        public Builder serverAdvertiseHost(String v) {
            serverAdvertiseHost = Objects.requireNonNull(v, "serverAdvertiseHost");
            return this;
        }

        public Builder serverPort(int v) {
            serverPort = check("server.port", v, v >= 0 && v <= 65535, "0-65535");
            return this;
        }

        public Builder serverWeight(int v) {
            serverWeight = check(
                    "server.weight", v, v >= 0 && v <= ServiceInstance.MAX_WEIGHT, "0-" + ServiceInstance.MAX_WEIGHT);
            return this;
        }

        public Builder serverIoThreads(int v) {
            serverIoThreads = check("server.io-threads", v, v >= 0, ">= 0");
            return this;
        }

        public Builder serverWorkerThreads(int v) {
            serverWorkerThreads = check("server.worker-threads", v, v >= 1, ">= 1");
            return this;
        }

        public Builder serverWorkerQueue(int v) {
            serverWorkerQueue = check("server.worker-queue", v, v >= 1, ">= 1");
            return this;
        }

        public Builder serverMaxConnections(int v) {
            serverMaxConnections = check("server.max-connections", v, v >= 1, ">= 1");
            return this;
        }

        public Builder serverMaxConnectionsPerAddress(int v) {
            serverMaxConnectionsPerAddress = check("server.max-connections-per-address", v, v >= 1, ">= 1");
            return this;
        }

        public Builder serverMaxCallsPerConnection(int v) {
            serverMaxCallsPerConnection = check("server.max-calls-per-connection", v, v >= 1, ">= 1");
            return this;
        }

        public Builder serverWriteBufferHighWater(int v) {
            serverWriteBufferHighWater = check("server.write-buffer-high-water", v, v >= 1024, ">= 1024 bytes");
            return this;
        }

        public Builder serverWriteBufferLowWater(int v) {
            serverWriteBufferLowWater = check("server.write-buffer-low-water", v, v >= 0, ">= 0 bytes");
            return this;
        }

        public Builder serverFrameTimeout(Duration v) {
            serverFrameTimeout = checkPositive("server.frame-timeout", v);
            return this;
        }

        public Builder serverMaxBufferedBytes(int v) {
            serverMaxBufferedBytes = check("server.max-buffered-bytes", v, v >= 1024 * 1024, ">= 1MiB");
            return this;
        }

        public Builder shutdownTimeout(Duration v) {
            shutdownTimeout = checkNonNegative("server.shutdown-timeout", v);
            return this;
        }

        public Builder clientIoThreads(int v) {
            clientIoThreads = check("client.io-threads", v, v >= 0, ">= 0");
            return this;
        }

        public Builder callTimeout(Duration v) {
            callTimeout = checkPositive("call.timeout", v);
            return this;
        }

        public Builder connectTimeout(Duration v) {
            connectTimeout = checkPositive("call.connect-timeout", v);
            return this;
        }

        public Builder serializer(String v) {
            serializer = Objects.requireNonNull(v, "serializer");
            return this;
        }

        public Builder heartbeatInterval(Duration v) {
            heartbeatInterval = checkPositive("heartbeat.interval", v);
            return this;
        }

        public Builder heartbeatMissedPongs(int v) {
            heartbeatMissedPongs = check("heartbeat.missed-pongs", v, v >= 1, ">= 1");
            return this;
        }

        public Builder reconnectInitialBackoff(Duration v) {
            reconnectInitialBackoff = checkPositive("reconnect.initial-backoff", v);
            return this;
        }

        public Builder reconnectMaxBackoff(Duration v) {
            reconnectMaxBackoff = checkPositive("reconnect.max-backoff", v);
            return this;
        }

        public Builder maxFrameSize(int v) {
            maxFrameSize = check("protocol.max-frame-size", v, v >= 1024, ">= 1024 bytes");
            return this;
        }

        public Builder pluginsDir(Path v) {
            pluginsDir = Objects.requireNonNull(v, "pluginsDir");
            return this;
        }

        public Builder dataDir(Path v) {
            dataDir = Objects.requireNonNull(v, "dataDir");
            return this;
        }

        public Builder pluginsWatch(boolean v) {
            pluginsWatch = v;
            return this;
        }

        public Builder pluginsWatchDebounce(Duration v) {
            pluginsWatchDebounce = checkPositive("plugins.watch-debounce", v);
            return this;
        }

        public Builder pluginsDrainTimeout(Duration v) {
            pluginsDrainTimeout = checkPositive("plugins.drain-timeout", v);
            return this;
        }

        public Builder pluginsReplaceGrace(Duration v) {
            pluginsReplaceGrace = checkNonNegative("plugins.replace-grace", v);
            return this;
        }

        public Builder pluginsStartTimeout(Duration v) {
            pluginsStartTimeout = checkPositive("plugins.start-timeout", v);
            return this;
        }

        public Builder configWatch(boolean v) {
            configWatch = v;
            return this;
        }

        public Builder allowedTypes(List<String> v) {
            allowedTypes = new ArrayList<>(v);
            return this;
        }

        public Builder adminHost(String v) {
            adminHost = Objects.requireNonNull(v, "adminHost");
            return this;
        }

        public Builder metricsEnabled(boolean v) {
            metricsEnabled = v;
            return this;
        }

        public Builder adminPort(int v) {
            adminPort = check("admin.port", v, v >= -1 && v <= 65535, "-1 (off), 0 (any free port) or 1-65535");
            return this;
        }

        public Builder adminRequestTimeout(Duration v) {
            adminRequestTimeout = checkPositive("admin.request-timeout", v);
            return this;
        }

        public Builder loadBalancer(String v) {
            loadBalancer = Objects.requireNonNull(v, "loadBalancer");
            return this;
        }

        public Builder clusterPolicy(String v) {
            clusterPolicy = Objects.requireNonNull(v, "clusterPolicy");
            return this;
        }

        public Builder filters(List<String> v) {
            filters = new ArrayList<>(v);
            return this;
        }

        public Builder registry(String v) {
            registry = Objects.requireNonNull(v, "registry");
            return this;
        }

        /** Sets a key for an extension, e.g. {@code registry.zookeeper.address}. */
        public Builder extensionKey(String key, String value) {
            if (!isExtensionKey(key)) {
                throw new ConfigException(
                        "extension key: '" + key + "' (expected: <point>.<name>.<key> with point one of "
                                + new TreeSet<>(EXTENSION_PREFIXES) + ")");
            }
            extensionKeys.put(key, Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Applies every key of {@code p}; unknown keys fail with the list of known ones. */
        public Builder apply(Properties p) {
            for (String key : new TreeSet<>(p.stringPropertyNames())) {
                String value = p.getProperty(key).trim();
                Option option = OPTIONS.get(key);
                Matcher perService = PER_SERVICE.matcher(key);
                if (option != null) {
                    option.setter.set(this, key, value);
                } else if (perService.matches()) {
                    String point = perService.group(1).equals("call.serializer") ? "serializer" : perService.group(1);
                    serviceSelection(point, perService.group(2), value);
                } else if (isExtensionKey(key)) {
                    extensionKeys.put(key, value);
                } else {
                    throw new ConfigException("unknown configuration key '" + key + "' (known keys: "
                            + new TreeSet<>(OPTIONS.keySet()) + ", loadbalancer[<service>], cluster[<service>], "
                            + "call.serializer[<service>], and <point>.<name>.<key> for extensions, point one of "
                            + new TreeSet<>(EXTENSION_PREFIXES) + ")");
                }
            }
            return this;
        }

        public KernelSettings build() {
            if (reconnectMaxBackoff.compareTo(reconnectInitialBackoff) < 0) {
                throw new ConfigException("reconnect.max-backoff: " + reconnectMaxBackoff
                        + " (expected: >= reconnect.initial-backoff " + reconnectInitialBackoff + ")");
            }
            if (serverWriteBufferLowWater > serverWriteBufferHighWater) {
                throw new ConfigException("server.write-buffer-low-water: " + serverWriteBufferLowWater
                        + " (expected: <= server.write-buffer-high-water " + serverWriteBufferHighWater + ")");
            }
            return new KernelSettings(this);
        }
    }

    private static final Pattern PER_SERVICE =
            Pattern.compile("^(loadbalancer|cluster|call\\.serializer)\\[([^\\]]+)]$");
    private static final Set<String> SERVICE_POINTS = Set.of("loadbalancer", "cluster", "serializer");

    private static boolean isExtensionKey(String key) {
        String[] parts = key.split("\\.", 3);
        return parts.length == 3 && EXTENSION_PREFIXES.contains(parts[0]) && !parts[1].isEmpty() && !parts[2].isEmpty();
    }

    private static int check(String key, int v, boolean ok, String expected) {
        if (!ok) {
            throw new ConfigException(key + ": " + v + " (expected: " + expected + ")");
        }
        return v;
    }

    private static Duration checkPositive(String key, Duration v) {
        Objects.requireNonNull(v, key);
        if (v.isNegative() || v.isZero()) {
            throw new ConfigException(key + ": " + v + " (expected: > 0)");
        }
        return v;
    }

    private static Duration checkNonNegative(String key, Duration v) {
        Objects.requireNonNull(v, key);
        if (v.isNegative()) {
            throw new ConfigException(key + ": " + v + " (expected: >= 0)");
        }
        return v;
    }

    @FunctionalInterface
    private interface Setter {
        void set(Builder b, String key, String value);
    }

    /**
     * One configuration key, declared once: how it is set from its text, how its value reads back, and
     * whether a running kernel applies an edit of it ({@code live}) or only a restart does.
     */
    private record Option(Setter setter, Function<KernelSettings, Object> getter, boolean live) {}

    private static final Map<String, Option> OPTIONS = new LinkedHashMap<>();

    private static void define(String key, boolean live, Function<KernelSettings, Object> getter, Setter setter) {
        OPTIONS.put(key, new Option(setter, getter, live));
    }

    private static final boolean LIVE = true;
    private static final boolean RESTART = false;

    static {
        define("server.host", RESTART, KernelSettings::serverHost, (b, k, v) -> b.serverHost(v));
        define(
                "server.advertise-host",
                RESTART,
                KernelSettings::serverAdvertiseHost,
                (b, k, v) -> b.serverAdvertiseHost(v));
        define("server.port", RESTART, KernelSettings::serverPort, (b, k, v) -> b.serverPort(parseInt(k, v)));
        define("server.weight", LIVE, KernelSettings::serverWeight, (b, k, v) -> b.serverWeight(parseInt(k, v)));
        define(
                "server.io-threads",
                RESTART,
                KernelSettings::serverIoThreads,
                (b, k, v) -> b.serverIoThreads(parseInt(k, v)));
        define(
                "server.worker-threads",
                RESTART,
                KernelSettings::serverWorkerThreads,
                (b, k, v) -> b.serverWorkerThreads(parseInt(k, v)));
        define(
                "server.worker-queue",
                RESTART,
                KernelSettings::serverWorkerQueue,
                (b, k, v) -> b.serverWorkerQueue(parseInt(k, v)));
        define(
                "server.max-connections",
                RESTART,
                KernelSettings::serverMaxConnections,
                (b, k, v) -> b.serverMaxConnections(parseInt(k, v)));
        define(
                "server.max-connections-per-address",
                RESTART,
                KernelSettings::serverMaxConnectionsPerAddress,
                (b, k, v) -> b.serverMaxConnectionsPerAddress(parseInt(k, v)));
        define(
                "server.max-calls-per-connection",
                RESTART,
                KernelSettings::serverMaxCallsPerConnection,
                (b, k, v) -> b.serverMaxCallsPerConnection(parseInt(k, v)));
        define(
                "server.write-buffer-high-water",
                RESTART,
                KernelSettings::serverWriteBufferHighWater,
                (b, k, v) -> b.serverWriteBufferHighWater(parseSize(k, v)));
        define(
                "server.write-buffer-low-water",
                RESTART,
                KernelSettings::serverWriteBufferLowWater,
                (b, k, v) -> b.serverWriteBufferLowWater(parseSize(k, v)));
        define(
                "server.frame-timeout",
                RESTART,
                KernelSettings::serverFrameTimeout,
                (b, k, v) -> b.serverFrameTimeout(parseDuration(k, v)));
        define(
                "server.max-buffered-bytes",
                RESTART,
                KernelSettings::serverMaxBufferedBytes,
                (b, k, v) -> b.serverMaxBufferedBytes(parseSize(k, v)));
        define(
                "server.shutdown-timeout",
                RESTART,
                KernelSettings::shutdownTimeout,
                (b, k, v) -> b.shutdownTimeout(parseDuration(k, v)));
        define(
                "client.io-threads",
                RESTART,
                KernelSettings::clientIoThreads,
                (b, k, v) -> b.clientIoThreads(parseInt(k, v)));
        define("call.timeout", RESTART, KernelSettings::callTimeout, (b, k, v) -> b.callTimeout(parseDuration(k, v)));
        define(
                "call.connect-timeout",
                RESTART,
                KernelSettings::connectTimeout,
                (b, k, v) -> b.connectTimeout(parseDuration(k, v)));
        define("call.serializer", LIVE, KernelSettings::serializer, (b, k, v) -> b.serializer(v));
        define(
                "heartbeat.interval",
                RESTART,
                KernelSettings::heartbeatInterval,
                (b, k, v) -> b.heartbeatInterval(parseDuration(k, v)));
        define(
                "heartbeat.missed-pongs",
                RESTART,
                KernelSettings::heartbeatMissedPongs,
                (b, k, v) -> b.heartbeatMissedPongs(parseInt(k, v)));
        define(
                "reconnect.initial-backoff",
                RESTART,
                KernelSettings::reconnectInitialBackoff,
                (b, k, v) -> b.reconnectInitialBackoff(parseDuration(k, v)));
        define(
                "reconnect.max-backoff",
                RESTART,
                KernelSettings::reconnectMaxBackoff,
                (b, k, v) -> b.reconnectMaxBackoff(parseDuration(k, v)));
        define(
                "protocol.max-frame-size",
                RESTART,
                KernelSettings::maxFrameSize,
                (b, k, v) -> b.maxFrameSize(parseSize(k, v)));
        define("plugins.dir", RESTART, KernelSettings::pluginsDir, (b, k, v) -> b.pluginsDir(Path.of(v)));
        define("data.dir", RESTART, KernelSettings::dataDir, (b, k, v) -> b.dataDir(Path.of(v)));
        define("plugins.watch", RESTART, KernelSettings::pluginsWatch, (b, k, v) -> b.pluginsWatch(parseBoolean(k, v)));
        define(
                "plugins.watch-debounce",
                RESTART,
                KernelSettings::pluginsWatchDebounce,
                (b, k, v) -> b.pluginsWatchDebounce(parseDuration(k, v)));
        define(
                "plugins.drain-timeout",
                LIVE,
                KernelSettings::pluginsDrainTimeout,
                (b, k, v) -> b.pluginsDrainTimeout(parseDuration(k, v)));
        define(
                "plugins.replace-grace",
                LIVE,
                KernelSettings::pluginsReplaceGrace,
                (b, k, v) -> b.pluginsReplaceGrace(parseDuration(k, v)));
        define(
                "plugins.start-timeout",
                LIVE,
                KernelSettings::pluginsStartTimeout,
                (b, k, v) -> b.pluginsStartTimeout(parseDuration(k, v)));
        define("config.watch", RESTART, KernelSettings::configWatch, (b, k, v) -> b.configWatch(parseBoolean(k, v)));
        define(
                "serializer.allowed-types",
                RESTART,
                KernelSettings::allowedTypes,
                (b, k, v) -> b.allowedTypes(parseList(v)));
        define("admin.host", RESTART, KernelSettings::adminHost, (b, k, v) -> b.adminHost(v));
        define("admin.port", RESTART, KernelSettings::adminPort, (b, k, v) -> b.adminPort(parseInt(k, v)));
        define(
                "admin.request-timeout",
                RESTART,
                KernelSettings::adminRequestTimeout,
                (b, k, v) -> b.adminRequestTimeout(parseDuration(k, v)));
        define(
                "metrics.enabled",
                RESTART,
                KernelSettings::metricsEnabled,
                (b, k, v) -> b.metricsEnabled(parseBoolean(k, v)));
        define("loadbalancer", LIVE, KernelSettings::loadBalancer, (b, k, v) -> b.loadBalancer(v));
        define("cluster", LIVE, KernelSettings::clusterPolicy, (b, k, v) -> b.clusterPolicy(v));
        define("filters", LIVE, KernelSettings::filters, (b, k, v) -> b.filters(parseList(v)));
        define("registry", LIVE, KernelSettings::registry, (b, k, v) -> b.registry(v));
    }

    /**
     * Whether a running kernel applies an edit of {@code key} (see {@code MicroRpc.reconfigure}): the
     * strategies, per-service choices, extension keys, {@code server.weight} and the plugin timings;
     * ports, threads and paths take effect at restart.
     */
    public static boolean isLive(String key) {
        Option o = OPTIONS.get(key);
        return o != null ? o.live : PER_SERVICE.matcher(key).matches() || isExtensionKey(key);
    }

    /** Every key with its value as text, e.g. {@code call.timeout=PT3S}, {@code loadbalancer[S]=p2c}. */
    public Map<String, String> values() {
        Map<String, String> out = new TreeMap<>();
        OPTIONS.forEach((key, o) -> out.put(key, text(o.getter.apply(this))));
        serviceSelections.forEach((point, byService) -> byService.forEach((service, names) ->
                out.put((point.equals("serializer") ? "call.serializer" : point) + '[' + service + ']', names)));
        out.putAll(extensionKeys);
        return out;
    }

    private static String text(Object value) {
        if (value instanceof Duration d) {
            return Durations.format(d);
        }
        if (value instanceof List<?> l) {
            return l.stream().map(String::valueOf).collect(Collectors.joining(","));
        }
        return String.valueOf(value);
    }

    /**
     * What differs from {@code before} to {@code after}, one line per key of the kind asked for (live or
     * not), e.g. {@code loadbalancer: p2c,round-robin -> round-robin}; a key missing on one side shows as
     * {@code (unset)}.
     */
    public static List<String> changes(KernelSettings before, KernelSettings after, boolean live) {
        Map<String, String> a = before.values();
        Map<String, String> b = after.values();
        TreeSet<String> keys = new TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        List<String> out = new ArrayList<>();
        for (String k : keys) {
            if (isLive(k) == live && !Objects.equals(a.get(k), b.get(k))) {
                out.add(k + ": " + a.getOrDefault(k, "(unset)") + " -> " + b.getOrDefault(k, "(unset)"));
            }
        }
        return out;
    }

    /** These settings with every live key taken from {@code next} and every other key kept. */
    public KernelSettings withLiveFrom(KernelSettings next) {
        Builder b = toBuilder();
        OPTIONS.forEach((key, o) -> {
            if (o.live) {
                o.setter.set(b, key, text(o.getter.apply(next)));
            }
        });
        b.serviceSelections.clear();
        next.serviceSelections.forEach((point, m) -> b.serviceSelections.put(point, new LinkedHashMap<>(m)));
        b.extensionKeys = new LinkedHashMap<>(next.extensionKeys);
        return b.build();
    }

    private static int parseInt(String key, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new ConfigException(key + ": '" + value + "' (expected: an integer)");
        }
    }

    private static boolean parseBoolean(String key, String value) {
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        throw new ConfigException(key + ": '" + value + "' (expected: true or false)");
    }

    private static Duration parseDuration(String key, String value) {
        return parse(key, value, Durations::parse, "a duration such as 250ms, 3s, 2m or PT3S");
    }

    /**
     * Bytes, or with a unit: {@code 8MiB}, {@code 512KiB}. Any other unit is refused rather than
     * dropped: {@code 8GiB} must not silently become 8 bytes, nor {@code 4096x} 4096.
     */
    static int parseSize(String key, String value) {
        return parse(
                key,
                value,
                v -> {
                    String s = v.toLowerCase(Locale.ROOT).replace(" ", "");
                    String unit = s.replaceFirst("^[0-9]+", "");
                    long factor;
                    switch (unit) {
                        case "":
                        case "b":
                            factor = 1;
                            break;
                        case "k":
                        case "kb":
                        case "kib":
                            factor = 1024;
                            break;
                        case "m":
                        case "mb":
                        case "mib":
                            factor = 1024 * 1024;
                            break;
                        default:
                            throw new NumberFormatException("unknown unit '" + unit + "'");
                    }
                    long bytes = Math.multiplyExact(Long.parseLong(s.substring(0, s.length() - unit.length())), factor);
                    if (bytes > Integer.MAX_VALUE) {
                        throw new NumberFormatException("too large");
                    }
                    return (int) bytes;
                },
                "a size in bytes such as 8388608, 512KiB or 8MiB");
    }

    private static <T> T parse(String key, String value, Function<String, T> parser, String expected) {
        try {
            return parser.apply(value);
        } catch (RuntimeException e) {
            throw new ConfigException(key + ": '" + value + "' (expected: " + expected + ")", e);
        }
    }

    private static List<String> parseList(String value) {
        List<String> out = new ArrayList<>();
        for (String s : Arrays.asList(value.split(","))) {
            if (!s.trim().isEmpty()) {
                out.add(s.trim());
            }
        }
        return out;
    }

    /** The known keys, for documentation checks. */
    public static Set<String> knownKeys() {
        return Collections.unmodifiableSet(OPTIONS.keySet());
    }
}
