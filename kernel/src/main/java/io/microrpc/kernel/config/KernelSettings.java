package io.microrpc.kernel.config;

import static io.microrpc.kernel.config.KernelOptions.*;

import io.microrpc.spi.PluginConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Every kernel setting, typed and immutable. Parsed once from {@code conf/microrpc.properties} or built
 * in code with {@link #builder()}.
 *
 * <p>Each key is declared once, in {@link KernelOptions}: its type, default, accepted values, whether it
 * is live, and its documentation. The accessor of a key is named after it ({@code server.port} →
 * {@link #serverPort()}, {@code cluster} → {@link #cluster()}), as is the builder's method; both
 * only read and write the declared option, so {@link #get(KernelOption)} and {@link
 * Builder#set(KernelOption, Object)} are equivalent.
 *
 * <p>Keys the kernel does not know are refused, so a typo fails at start instead of being ignored,
 * except keys under an extension prefix ({@code serializer.<name>.}, {@code loadbalancer.<name>.},
 * {@code cluster.<name>.}, {@code filter.<name>.}, {@code registry.<name>.},
 * {@code service.<name>.}), which are handed to that extension as its {@link PluginConfig}, and the
 * per-service choices {@code loadbalancer[<service>]}, {@code cluster[<service>]} and
 * {@code call.serializer[<service>]}.
 */
public final class KernelSettings {

    /** The extension points whose plugins take configuration, by key prefix. */
    public static final Set<String> EXTENSION_PREFIXES =
            Set.of("serializer", "loadbalancer", "cluster", "filter", "registry", "service");

    private static final Set<String> SECRET_NAMES = Set.of("password", "secret", "token", "jwt", "auth", "hmac-key");

    private static final Pattern PER_SERVICE = Pattern.compile("^(.+)\\[([^\\]]+)]$");

    /** Every declared option with its value; never missing one. */
    private final Map<KernelOption<?>, Object> values;

    private final Map<String, String> extensionKeys;
    private final Map<String, Map<String, String>> serviceSelections;

    private KernelSettings(Builder b) {
        this.values = Collections.unmodifiableMap(new HashMap<>(b.values));
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

    /** The value of {@code option}. */
    @SuppressWarnings("unchecked") // values holds a T for every KernelOption<T>: only Builder.set puts into it
    public <T> T get(KernelOption<T> option) {
        return (T) values.get(Objects.requireNonNull(option, "option"));
    }

    // One accessor per declared option, named after its key; documented in KernelOptions.

    public String serverHost() {
        return get(SERVER_HOST);
    }

    public String serverAdvertiseHost() {
        return get(SERVER_ADVERTISE_HOST);
    }

    public int serverWeight() {
        return get(SERVER_WEIGHT);
    }

    public int serverPort() {
        return get(SERVER_PORT);
    }

    public int serverIoThreads() {
        return get(SERVER_IO_THREADS);
    }

    public int serverWorkerThreads() {
        return get(SERVER_WORKER_THREADS);
    }

    public int serverWorkerQueue() {
        return get(SERVER_WORKER_QUEUE);
    }

    public Duration serverShutdownTimeout() {
        return get(SERVER_SHUTDOWN_TIMEOUT);
    }

    public int serverMaxConnections() {
        return get(SERVER_MAX_CONNECTIONS);
    }

    public int serverMaxConnectionsPerAddress() {
        return get(SERVER_MAX_CONNECTIONS_PER_ADDRESS);
    }

    public int serverMaxCallsPerConnection() {
        return get(SERVER_MAX_CALLS_PER_CONNECTION);
    }

    public int serverWriteBufferHighWater() {
        return get(SERVER_WRITE_BUFFER_HIGH_WATER);
    }

    public int serverWriteBufferLowWater() {
        return get(SERVER_WRITE_BUFFER_LOW_WATER);
    }

    public Duration serverFrameTimeout() {
        return get(SERVER_FRAME_TIMEOUT);
    }

    public int serverMaxBufferedBytes() {
        return get(SERVER_MAX_BUFFERED_BYTES);
    }

    public int clientIoThreads() {
        return get(CLIENT_IO_THREADS);
    }

    public Duration callTimeout() {
        return get(CALL_TIMEOUT);
    }

    public Duration callConnectTimeout() {
        return get(CALL_CONNECT_TIMEOUT);
    }

    public String callSerializer() {
        return get(CALL_SERIALIZER);
    }

    public Duration heartbeatInterval() {
        return get(HEARTBEAT_INTERVAL);
    }

    public int heartbeatMissedPongs() {
        return get(HEARTBEAT_MISSED_PONGS);
    }

    public Duration reconnectInitialBackoff() {
        return get(RECONNECT_INITIAL_BACKOFF);
    }

    public Duration reconnectMaxBackoff() {
        return get(RECONNECT_MAX_BACKOFF);
    }

    public int protocolMaxFrameSize() {
        return get(PROTOCOL_MAX_FRAME_SIZE);
    }

    public boolean tlsEnabled() {
        return get(TLS_ENABLED);
    }

    public Path tlsCert() {
        return get(TLS_CERT);
    }

    public Path tlsKey() {
        return get(TLS_KEY);
    }

    public Path tlsTrust() {
        return get(TLS_TRUST);
    }

    public String tlsClientAuth() {
        return get(TLS_CLIENT_AUTH);
    }

    public List<String> tlsProtocols() {
        return get(TLS_PROTOCOLS);
    }

    public List<String> tlsCiphers() {
        return get(TLS_CIPHERS);
    }

    public String tlsServerName() {
        return get(TLS_SERVER_NAME);
    }

    public String tlsProvider() {
        return get(TLS_PROVIDER);
    }

    public Duration tlsReloadInterval() {
        return get(TLS_RELOAD_INTERVAL);
    }

    public String adminHost() {
        return get(ADMIN_HOST);
    }

    public int adminPort() {
        return get(ADMIN_PORT);
    }

    public Duration adminRequestTimeout() {
        return get(ADMIN_REQUEST_TIMEOUT);
    }

    public Path adminTokenFile() {
        return get(ADMIN_TOKEN_FILE);
    }

    public boolean adminAllowPlaintextRemote() {
        return get(ADMIN_ALLOW_PLAINTEXT_REMOTE);
    }

    public boolean metricsEnabled() {
        return get(METRICS_ENABLED);
    }

    public Path pluginsDir() {
        return get(PLUGINS_DIR);
    }

    public Path pluginsAllow() {
        return get(PLUGINS_ALLOW);
    }

    public Path dataDir() {
        return get(DATA_DIR);
    }

    public boolean pluginsWatch() {
        return get(PLUGINS_WATCH);
    }

    public Duration pluginsWatchDebounce() {
        return get(PLUGINS_WATCH_DEBOUNCE);
    }

    public Duration pluginsDrainTimeout() {
        return get(PLUGINS_DRAIN_TIMEOUT);
    }

    public Duration pluginsStartTimeout() {
        return get(PLUGINS_START_TIMEOUT);
    }

    public Duration pluginsReplaceGrace() {
        return get(PLUGINS_REPLACE_GRACE);
    }

    public boolean configWatch() {
        return get(CONFIG_WATCH);
    }

    public List<String> serializerAllowedTypes() {
        return get(SERIALIZER_ALLOWED_TYPES);
    }

    public String loadbalancer() {
        return get(LOADBALANCER);
    }

    public String cluster() {
        return get(CLUSTER);
    }

    public String registry() {
        return get(REGISTRY);
    }

    public List<String> filters() {
        return get(FILTERS);
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
        Map<String, String> out = new LinkedHashMap<>();
        extensionKeys.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return PluginConfig.of(prefix, out);
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.values.putAll(values);
        b.extensionKeys.putAll(extensionKeys);
        serviceSelections.forEach((point, m) -> b.serviceSelections.put(point, new LinkedHashMap<>(m)));
        return b;
    }

    /**
     * Whether a running kernel applies an edit of {@code key} (see {@code MicroRpc.reconfigure}): the
     * declared live keys ({@link KernelOption#live()}), per-service choices and extension keys; every
     * other key takes effect at restart.
     */
    public static boolean isLive(String key) {
        Optional<KernelOption<?>> option = KernelOptions.forKey(key);
        return option.isPresent() ? option.get().live() : perServicePoint(key).isPresent() || isExtensionKey(key);
    }

    /** Every key with its value as text, e.g. {@code call.timeout=3s}, {@code loadbalancer[S]=p2c}. */
    public Map<String, String> values() {
        Map<String, String> out = new TreeMap<>();
        for (KernelOption<?> o : KernelOptions.all()) {
            out.put(o.key(), text(o));
        }
        for (KernelOption<?> o : KernelOptions.all()) {
            o.servicePoint()
                    .ifPresent(point -> serviceSelections
                            .getOrDefault(point, Map.of())
                            .forEach((service, names) -> out.put(o.key() + '[' + service + ']', names)));
        }
        out.putAll(extensionKeys);
        return out;
    }

    private <T> String text(KernelOption<T> option) {
        return option.format(get(option));
    }

    /**
     * What differs from {@code before} to {@code after}, one line per key of the kind asked for (live or
     * not), e.g. {@code loadbalancer: p2c,round-robin -> round-robin}; a key missing on one side shows as
     * {@code (unset)}. The values of {@link #isSecret secret} keys are not shown.
     */
    public static List<String> changes(KernelSettings before, KernelSettings after, boolean live) {
        Map<String, String> a = before.values();
        Map<String, String> b = after.values();
        TreeSet<String> keys = new TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        List<String> out = new ArrayList<>();
        for (String k : keys) {
            if (isLive(k) == live && !Objects.equals(a.get(k), b.get(k))) {
                out.add(
                        isSecret(k)
                                ? k + ": changed (a secret: its values are not shown)"
                                : k + ": " + a.getOrDefault(k, "(unset)") + " -> " + b.getOrDefault(k, "(unset)"));
            }
        }
        return out;
    }

    /**
     * True for a key whose value is a credential, which logs and events must not show: its last part is
     * {@code password}, {@code secret}, {@code token}, {@code jwt}, {@code auth} or {@code hmac-key}, or
     * it names one caller's key ({@code ....hmac.key.<caller>}). Keys naming files ({@code ...-file}) are
     * paths, not secrets.
     */
    public static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        if (k.endsWith("-file")) {
            return false;
        }
        String last = k.substring(k.lastIndexOf('.') + 1);
        return SECRET_NAMES.contains(last) || k.contains(".hmac.key.");
    }

    /** These settings with every live key taken from {@code next} and every other key kept. */
    public KernelSettings withLiveFrom(KernelSettings next) {
        Builder b = toBuilder();
        for (KernelOption<?> o : KernelOptions.all()) {
            if (o.live()) {
                copy(o, next, b);
            }
        }
        b.serviceSelections.clear();
        next.serviceSelections.forEach((point, m) -> b.serviceSelections.put(point, new LinkedHashMap<>(m)));
        b.extensionKeys.clear();
        b.extensionKeys.putAll(next.extensionKeys);
        return b.build();
    }

    private static <T> void copy(KernelOption<T> option, KernelSettings from, Builder to) {
        to.set(option, from.get(option));
    }

    /** The declared keys, for documentation checks. */
    public static Set<String> knownKeys() {
        return KernelOptions.all().stream().map(KernelOption::key).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** Collects settings; {@link #build()} validates and copies them. Not thread-safe. */
    public static final class Builder {
        private final Map<KernelOption<?>, Object> values = new HashMap<>();
        private final Map<String, String> extensionKeys = new LinkedHashMap<>();
        private final Map<String, Map<String, String>> serviceSelections = new LinkedHashMap<>();

        private Builder() {
            for (KernelOption<?> o : KernelOptions.all()) {
                values.put(o, o.defaultValue());
            }
        }

        /** Sets {@code option}; a value it does not accept fails with its key, the value and what is expected. */
        public <T> Builder set(KernelOption<T> option, T value) {
            values.put(option, option.validate(value));
            return this;
        }

        // One method per declared option, named after its key; documented in KernelOptions.

        public Builder serverHost(String v) {
            return set(SERVER_HOST, v);
        }

        public Builder serverAdvertiseHost(String v) {
            return set(SERVER_ADVERTISE_HOST, v);
        }

        public Builder serverWeight(int v) {
            return set(SERVER_WEIGHT, v);
        }

        public Builder serverPort(int v) {
            return set(SERVER_PORT, v);
        }

        public Builder serverIoThreads(int v) {
            return set(SERVER_IO_THREADS, v);
        }

        public Builder serverWorkerThreads(int v) {
            return set(SERVER_WORKER_THREADS, v);
        }

        public Builder serverWorkerQueue(int v) {
            return set(SERVER_WORKER_QUEUE, v);
        }

        public Builder serverShutdownTimeout(Duration v) {
            return set(SERVER_SHUTDOWN_TIMEOUT, v);
        }

        public Builder serverMaxConnections(int v) {
            return set(SERVER_MAX_CONNECTIONS, v);
        }

        public Builder serverMaxConnectionsPerAddress(int v) {
            return set(SERVER_MAX_CONNECTIONS_PER_ADDRESS, v);
        }

        public Builder serverMaxCallsPerConnection(int v) {
            return set(SERVER_MAX_CALLS_PER_CONNECTION, v);
        }

        public Builder serverWriteBufferHighWater(int v) {
            return set(SERVER_WRITE_BUFFER_HIGH_WATER, v);
        }

        public Builder serverWriteBufferLowWater(int v) {
            return set(SERVER_WRITE_BUFFER_LOW_WATER, v);
        }

        public Builder serverFrameTimeout(Duration v) {
            return set(SERVER_FRAME_TIMEOUT, v);
        }

        public Builder serverMaxBufferedBytes(int v) {
            return set(SERVER_MAX_BUFFERED_BYTES, v);
        }

        public Builder clientIoThreads(int v) {
            return set(CLIENT_IO_THREADS, v);
        }

        public Builder callTimeout(Duration v) {
            return set(CALL_TIMEOUT, v);
        }

        public Builder callConnectTimeout(Duration v) {
            return set(CALL_CONNECT_TIMEOUT, v);
        }

        public Builder callSerializer(String v) {
            return set(CALL_SERIALIZER, v);
        }

        public Builder heartbeatInterval(Duration v) {
            return set(HEARTBEAT_INTERVAL, v);
        }

        public Builder heartbeatMissedPongs(int v) {
            return set(HEARTBEAT_MISSED_PONGS, v);
        }

        public Builder reconnectInitialBackoff(Duration v) {
            return set(RECONNECT_INITIAL_BACKOFF, v);
        }

        public Builder reconnectMaxBackoff(Duration v) {
            return set(RECONNECT_MAX_BACKOFF, v);
        }

        public Builder protocolMaxFrameSize(int v) {
            return set(PROTOCOL_MAX_FRAME_SIZE, v);
        }

        public Builder tlsEnabled(boolean v) {
            return set(TLS_ENABLED, v);
        }

        public Builder tlsCert(Path v) {
            return set(TLS_CERT, v);
        }

        public Builder tlsKey(Path v) {
            return set(TLS_KEY, v);
        }

        public Builder tlsTrust(Path v) {
            return set(TLS_TRUST, v);
        }

        public Builder tlsClientAuth(String v) {
            return set(TLS_CLIENT_AUTH, v);
        }

        public Builder tlsProtocols(List<String> v) {
            return set(TLS_PROTOCOLS, v);
        }

        public Builder tlsCiphers(List<String> v) {
            return set(TLS_CIPHERS, v);
        }

        public Builder tlsServerName(String v) {
            return set(TLS_SERVER_NAME, v);
        }

        public Builder tlsProvider(String v) {
            return set(TLS_PROVIDER, v);
        }

        public Builder tlsReloadInterval(Duration v) {
            return set(TLS_RELOAD_INTERVAL, v);
        }

        public Builder adminHost(String v) {
            return set(ADMIN_HOST, v);
        }

        public Builder adminPort(int v) {
            return set(ADMIN_PORT, v);
        }

        public Builder adminRequestTimeout(Duration v) {
            return set(ADMIN_REQUEST_TIMEOUT, v);
        }

        public Builder adminTokenFile(Path v) {
            return set(ADMIN_TOKEN_FILE, v);
        }

        public Builder adminAllowPlaintextRemote(boolean v) {
            return set(ADMIN_ALLOW_PLAINTEXT_REMOTE, v);
        }

        public Builder metricsEnabled(boolean v) {
            return set(METRICS_ENABLED, v);
        }

        public Builder pluginsDir(Path v) {
            return set(PLUGINS_DIR, v);
        }

        public Builder pluginsAllow(Path v) {
            return set(PLUGINS_ALLOW, v);
        }

        public Builder dataDir(Path v) {
            return set(DATA_DIR, v);
        }

        public Builder pluginsWatch(boolean v) {
            return set(PLUGINS_WATCH, v);
        }

        public Builder pluginsWatchDebounce(Duration v) {
            return set(PLUGINS_WATCH_DEBOUNCE, v);
        }

        public Builder pluginsDrainTimeout(Duration v) {
            return set(PLUGINS_DRAIN_TIMEOUT, v);
        }

        public Builder pluginsStartTimeout(Duration v) {
            return set(PLUGINS_START_TIMEOUT, v);
        }

        public Builder pluginsReplaceGrace(Duration v) {
            return set(PLUGINS_REPLACE_GRACE, v);
        }

        public Builder configWatch(boolean v) {
            return set(CONFIG_WATCH, v);
        }

        public Builder serializerAllowedTypes(List<String> v) {
            return set(SERIALIZER_ALLOWED_TYPES, v);
        }

        public Builder loadbalancer(String v) {
            return set(LOADBALANCER, v);
        }

        public Builder cluster(String v) {
            return set(CLUSTER, v);
        }

        public Builder registry(String v) {
            return set(REGISTRY, v);
        }

        public Builder filters(List<String> v) {
            return set(FILTERS, v);
        }

        /**
         * Chooses the extension(s) of {@code point} ({@code loadbalancer}, {@code cluster} or
         * {@code serializer}) for one service: a name or a preference list. The file's form is
         * {@code <key>[<service>]}, e.g. {@code call.serializer[io.example.EchoService]}.
         */
        public Builder serviceSelection(String point, String service, String names) {
            Set<String> points = new TreeSet<>();
            KernelOptions.all().forEach(o -> o.servicePoint().ifPresent(points::add));
            if (!points.contains(point)) {
                throw new ConfigException("point: '" + point + "' (expected: one of " + points + ")");
            }
            serviceSelections
                    .computeIfAbsent(point, p -> new LinkedHashMap<>())
                    .put(Objects.requireNonNull(service, "service"), Objects.requireNonNull(names, "names"));
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
                Optional<KernelOption<?>> option = KernelOptions.forKey(key);
                Matcher perService = PER_SERVICE.matcher(key);
                Optional<String> point = perServicePoint(key);
                if (option.isPresent()) {
                    parseInto(option.get(), value);
                } else if (point.isPresent() && perService.matches()) {
                    serviceSelection(point.get(), perService.group(2), value);
                } else if (isExtensionKey(key)) {
                    extensionKeys.put(key, value);
                } else {
                    throw new ConfigException("unknown configuration key '" + key + "' (known keys: "
                            + new TreeSet<>(knownKeys()) + ", "
                            + KernelOptions.all().stream()
                                    .filter(o -> o.servicePoint().isPresent())
                                    .map(o -> o.key() + "[<service>]")
                                    .collect(Collectors.joining(", "))
                            + ", and <point>.<name>.<key> for extensions, point one of "
                            + new TreeSet<>(EXTENSION_PREFIXES) + ")");
                }
            }
            return this;
        }

        private <T> void parseInto(KernelOption<T> option, String text) {
            values.put(option, option.parse(text));
        }

        /** Checks what no single key can, then copies the settings. */
        public KernelSettings build() {
            KernelSettings s = new KernelSettings(this);
            requireAtMost(s, RECONNECT_INITIAL_BACKOFF, RECONNECT_MAX_BACKOFF);
            requireAtMost(s, SERVER_WRITE_BUFFER_LOW_WATER, SERVER_WRITE_BUFFER_HIGH_WATER);
            return s;
        }

        private static <T extends Comparable<T>> void requireAtMost(
                KernelSettings s, KernelOption<T> lower, KernelOption<T> upper) {
            T low = s.get(lower);
            T high = s.get(upper);
            if (low.compareTo(high) > 0) {
                throw new ConfigException(upper.key() + ": " + upper.format(high) + " (expected: >= " + lower.key()
                        + " " + lower.format(low) + ")");
            }
        }
    }

    /** The point that a per-service key such as {@code call.serializer[io.example.S]} chooses for, if it is one. */
    private static Optional<String> perServicePoint(String key) {
        Matcher m = PER_SERVICE.matcher(key);
        return m.matches() ? KernelOptions.forKey(m.group(1)).flatMap(KernelOption::servicePoint) : Optional.empty();
    }

    private static boolean isExtensionKey(String key) {
        String[] parts = key.split("\\.", 3);
        return parts.length == 3 && EXTENSION_PREFIXES.contains(parts[0]) && !parts[1].isEmpty() && !parts[2].isEmpty();
    }
}
