package io.microrpc.kernel.config;

import static io.microrpc.kernel.config.KernelOption.Section.ADMIN;
import static io.microrpc.kernel.config.KernelOption.Section.CLIENT;
import static io.microrpc.kernel.config.KernelOption.Section.CONNECTION_HEALTH;
import static io.microrpc.kernel.config.KernelOption.Section.METRICS;
import static io.microrpc.kernel.config.KernelOption.Section.PLUGINS;
import static io.microrpc.kernel.config.KernelOption.Section.PROTOCOL;
import static io.microrpc.kernel.config.KernelOption.Section.SERVER;
import static io.microrpc.kernel.config.KernelOption.Section.TLS;

import io.microrpc.kernel.config.KernelOption.Section;
import io.microrpc.spi.ServiceInstance;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every kernel configuration key, each declared once, in the order docs/CONFIGURATION.md lists them.
 * {@link KernelSettings} has an accessor and a builder method named after each key ({@code server.port}
 * → {@code serverPort()}); {@code KernelSettingsAccessorsTest} and {@code ConfigurationDocTest} keep the
 * accessors and the documentation in step with these declarations.
 */
public final class KernelOptions {

    private static final List<KernelOption<?>> DECLARED = new ArrayList<>();

    public static final KernelOption<String> SERVER_HOST = define(SERVER, "server.host", ValueType.STRING, "0.0.0.0")
            .accepts(v -> true, "a host name or address")
            .restart("address the server binds");

    public static final KernelOption<String> SERVER_ADVERTISE_HOST = define(
                    SERVER, "server.advertise-host", ValueType.STRING, "")
            .accepts(v -> true, "a host name or address, or empty")
            .restart("the host registries publish for this server, the one consumers dial; empty = `server.host`, or,"
                    + " when binding `0.0.0.0` or `::`, an address of this machine's network interfaces (below)");

    public static final KernelOption<Integer> SERVER_WEIGHT = define(SERVER, "server.weight", ValueType.INT, 100)
            .accepts(v -> v >= 0 && v <= ServiceInstance.MAX_WEIGHT, "0-" + ServiceInstance.MAX_WEIGHT)
            .live("the load-balancing weight registries publish for this kernel's services; `0` takes it out of"
                    + " weighted rotation. Also changeable at runtime: `bin/microrpc weight 20 [--service S]` or"
                    + " `POST /weight` (below)");

    public static final KernelOption<Integer> SERVER_PORT = define(SERVER, "server.port", ValueType.INT, 7420)
            .accepts(v -> v >= 0 && v <= 65535, "0-65535")
            .restart("port the server binds; `0` picks a free one (the log says which)");

    public static final KernelOption<Integer> SERVER_IO_THREADS = define(SERVER, "server.io-threads", ValueType.INT, 0)
            .accepts(v -> v >= 0, ">= 0")
            .restart("Netty IO threads; `0` = Netty's default (2 × cores)");

    public static final KernelOption<Integer> SERVER_WORKER_THREADS = define(
                    SERVER, "server.worker-threads", ValueType.INT, 200)
            .accepts(v -> v >= 1, ">= 1")
            .restart("threads running service implementations");

    public static final KernelOption<Integer> SERVER_WORKER_QUEUE = define(
                    SERVER, "server.worker-queue", ValueType.INT, 10_000)
            .accepts(v -> v >= 1, ">= 1")
            .restart("calls that may wait for a worker; beyond it calls fail with `RESOURCE_EXHAUSTED`");

    public static final KernelOption<Duration> SERVER_SHUTDOWN_TIMEOUT = define(
                    SERVER, "server.shutdown-timeout", ValueType.DURATION, Duration.ofSeconds(10))
            .accepts(v -> !v.isNegative(), ">= 0")
            .restart("how long a graceful shutdown waits for in-flight calls (what comes before and after: below)");

    public static final KernelOption<Integer> SERVER_MAX_CONNECTIONS = define(
                    SERVER, "server.max-connections", ValueType.INT, 10_000)
            .accepts(v -> v >= 1, ">= 1")
            .restart("connections the server holds at once, from all clients; a connection beyond it is closed at"
                    + " once, before any byte is read, counted in `microrpc.server.connections.refused` (one log"
                    + " line per second at most). Also capped below the process's file-descriptor limit (below)");

    public static final KernelOption<Integer> SERVER_MAX_CONNECTIONS_PER_ADDRESS = define(
                    SERVER, "server.max-connections-per-address", ValueType.INT, 1_000)
            .accepts(v -> v >= 1, ">= 1")
            .restart("the same, per remote IP address: one host cannot take every connection");

    public static final KernelOption<Integer> SERVER_MAX_CALLS_PER_CONNECTION = define(
                    SERVER, "server.max-calls-per-connection", ValueType.INT, 1_000)
            .accepts(v -> v >= 1, ">= 1")
            .restart("calls one connection may have in flight on the server (received, not yet answered); beyond"
                    + " it a call is answered `RESOURCE_EXHAUSTED` without running (refused: a consumer may send it"
                    + " elsewhere). A kernel's client multiplexes all its calls to one provider on one connection:"
                    + " raise it for a consumer that keeps more than 1000 calls in flight to one provider");

    public static final KernelOption<Integer> SERVER_WRITE_BUFFER_HIGH_WATER = define(
                    SERVER, "server.write-buffer-high-water", ValueType.SIZE, 1024 * 1024)
            .accepts(v -> v >= 1024, ">= 1024 bytes")
            .restart("back-pressure: while more than this many bytes of a connection's answers wait to be sent"
                    + " (its client does not read), the server stops reading that connection's requests");

    public static final KernelOption<Integer> SERVER_WRITE_BUFFER_LOW_WATER = define(
                    SERVER, "server.write-buffer-low-water", ValueType.SIZE, 512 * 1024)
            .accepts(v -> v >= 0, ">= 0 bytes")
            .restart("the server reads a connection it stopped reading again once fewer bytes than this wait;"
                    + " at most `server.write-buffer-high-water`");

    public static final KernelOption<Duration> SERVER_FRAME_TIMEOUT = define(
                    SERVER, "server.frame-timeout", ValueType.DURATION, Duration.ofSeconds(20))
            .accepts(v -> v.compareTo(Duration.ZERO) > 0, "> 0")
            .restart("the time a client has to finish sending a frame once its first bytes arrived; a connection"
                    + " that does not is closed (a client trickling bytes cannot hold memory and a connection"
                    + " forever)");

    public static final KernelOption<Integer> SERVER_MAX_BUFFERED_BYTES = define(
                    SERVER, "server.max-buffered-bytes", ValueType.SIZE, 128 * 1024 * 1024)
            .accepts(v -> v >= 1024 * 1024, ">= 1MiB")
            .restart("bytes held for frames not yet complete, across all connections; a frame over 16 KiB that"
                    + " would pass it closes its connection, logged (smaller frames always pass)");

    public static final KernelOption<Integer> CLIENT_IO_THREADS = define(CLIENT, "client.io-threads", ValueType.INT, 0)
            .accepts(v -> v >= 0, ">= 0")
            .restart("Netty IO threads for outgoing connections; `0` = 2 × cores");

    public static final KernelOption<Duration> CALL_TIMEOUT = define(
                    CLIENT, "call.timeout", ValueType.DURATION, Duration.ofSeconds(3))
            .accepts(v -> v.compareTo(Duration.ZERO) > 0, "> 0")
            .restart("per-call timeout; the deadline travels to the server");

    public static final KernelOption<Duration> CALL_CONNECT_TIMEOUT = define(
                    CLIENT, "call.connect-timeout", ValueType.DURATION, Duration.ofSeconds(3))
            .accepts(v -> v.compareTo(Duration.ZERO) > 0, "> 0")
            .restart("TCP connect timeout, and how long creating a reference waits for a first connection");

    public static final KernelOption<String> CALL_SERIALIZER = define(
                    CLIENT, "call.serializer", ValueType.STRING, "protostuff")
            .accepts(v -> true, "a serializer name or a comma-separated preference list")
            .perService("serializer")
            .live("name of the serializer references use");

    public static final KernelOption<Duration> HEARTBEAT_INTERVAL = define(
                    CONNECTION_HEALTH, "heartbeat.interval", ValueType.DURATION, Duration.ofSeconds(10))
            .accepts(v -> v.compareTo(Duration.ZERO) > 0, "> 0")
            .restart("a client pings after receiving nothing for this long");

    public static final KernelOption<Integer> HEARTBEAT_MISSED_PONGS = define(
                    CONNECTION_HEALTH, "heartbeat.missed-pongs", ValueType.INT, 3)
            .accepts(v -> v >= 1, ">= 1")
            .restart("unanswered pings before the client closes and reconnects");

    public static final KernelOption<Duration> RECONNECT_INITIAL_BACKOFF = define(
                    CONNECTION_HEALTH, "reconnect.initial-backoff", ValueType.DURATION, Duration.ofMillis(100))
            .accepts(v -> v.compareTo(Duration.ZERO) > 0, "> 0")
            .restart("first reconnect delay (±20% jitter), doubled per failure");

    public static final KernelOption<Duration> RECONNECT_MAX_BACKOFF = define(
                    CONNECTION_HEALTH, "reconnect.max-backoff", ValueType.DURATION, Duration.ofSeconds(10))
            .accepts(v -> v.compareTo(Duration.ZERO) > 0, "> 0")
            .restart("longest reconnect delay; at least `reconnect.initial-backoff`");

    public static final KernelOption<Integer> PROTOCOL_MAX_FRAME_SIZE = define(
                    PROTOCOL, "protocol.max-frame-size", ValueType.SIZE, 8 * 1024 * 1024)
            .accepts(v -> v >= 1024, ">= 1024 bytes")
            .restart("largest frame, header included; checked before allocation on receive and before sending");

    public static final KernelOption<Boolean> TLS_ENABLED = define(TLS, "tls.enabled", ValueType.BOOLEAN, false)
            .restart("TLS on the RPC port and on this kernel's connections to providers: it serves only TLS clients,"
                    + " publishes `tls=true` with its services, and dials only providers that publish it (a consumer"
                    + " without TLS does not dial them). docs/SECURITY.md");

    public static final KernelOption<Path> TLS_CERT = define(TLS, "tls.cert", ValueType.PATH, Path.of(""))
            .restart("PEM certificate chain this kernel presents, its own certificate first: as a server (required to"
                    + " export with `tls.enabled`) and as a client when a server asks for one (mutual TLS). The file"
                    + " is reloaded when it changes (`tls.reload-interval`)");

    public static final KernelOption<Path> TLS_KEY = define(TLS, "tls.key", ValueType.PATH, Path.of(""))
            .restart("PEM private key of `tls.cert`, PKCS#8 (`BEGIN PRIVATE KEY`), unencrypted; RSA, EC or Ed25519."
                    + " Reloaded with `tls.cert`");

    public static final KernelOption<Path> TLS_TRUST = define(TLS, "tls.trust", ValueType.PATH, Path.of(""))
            .restart("PEM bundle of the CA certificates that verify peers: servers' certificates on the client side,"
                    + " client certificates on the server side; empty = the JDK's trust store (client side only)."
                    + " Reloaded when it changes");

    public static final KernelOption<String> TLS_CLIENT_AUTH = define(TLS, "tls.client-auth", ValueType.STRING, "none")
            .accepts(v -> v.equals("none") || v.equals("optional") || v.equals("require"), "none, optional or require")
            .restart("whether the server asks clients for a certificate: `require` (mutual TLS: a client without a"
                    + " certificate signed by `tls.trust` is refused), `optional` (verified if sent), `none`");

    public static final KernelOption<List<String>> TLS_PROTOCOLS = define(
                    TLS, "tls.protocols", ValueType.LIST, List.of("TLSv1.3", "TLSv1.2"))
            .accepts(v -> !v.isEmpty(), "TLS protocol names")
            .restart("TLS versions offered and accepted");

    public static final KernelOption<List<String>> TLS_CIPHERS = define(TLS, "tls.ciphers", ValueType.LIST, List.of())
            .restart("cipher suites (IANA names), in order of preference; empty = the provider's defaults");

    public static final KernelOption<String> TLS_SERVER_NAME = define(TLS, "tls.server-name", ValueType.STRING, "")
            .accepts(v -> true, "a host name, or empty")
            .restart("the name a client checks in the server's certificate; empty = the host it dials (a name or an"
                    + " IP address, as the registry publishes it)");

    public static final KernelOption<String> TLS_PROVIDER = define(TLS, "tls.provider", ValueType.STRING, "auto")
            .accepts(v -> v.equals("auto") || v.equals("openssl") || v.equals("jdk"), "auto, openssl or jdk")
            .restart("the TLS implementation: `openssl` (BoringSSL through netty-tcnative, bundled for Linux x86-64),"
                    + " `jdk`, or `auto` = OpenSSL where it loads, else the JDK's; the start log says which");

    public static final KernelOption<Duration> TLS_RELOAD_INTERVAL = define(
                    TLS, "tls.reload-interval", ValueType.DURATION, Duration.ofSeconds(1))
            .accepts(v -> !v.isNegative(), ">= 0")
            .restart("how often the certificate, key and trust files are checked for changes; new connections use"
                    + " new material, open ones keep theirs; a file that does not load is refused with a log line"
                    + " and the material in use stays. `0` = never");

    public static final KernelOption<String> ADMIN_HOST = define(ADMIN, "admin.host", ValueType.STRING, "127.0.0.1")
            .accepts(v -> true, "a host name or address")
            .restart("address of the admin HTTP endpoint that `serve` and `demo` start");

    public static final KernelOption<Integer> ADMIN_PORT = define(ADMIN, "admin.port", ValueType.INT, -1)
            .accepts(v -> v >= -1 && v <= 65535, "-1 (off), 0 (any free port) or 1-65535")
            .restart("its port; `-1` = off, `0` = any free port; if taken, a free port is used and logged. The"
                    + " distribution's `conf/microrpc.properties` sets `7421`");

    public static final KernelOption<Duration> ADMIN_REQUEST_TIMEOUT = define(
                    ADMIN, "admin.request-timeout", ValueType.DURATION, Duration.ofSeconds(10))
            .accepts(v -> v.compareTo(Duration.ZERO) > 0, "> 0")
            .restart("the time an admin client has to send a whole request, however slowly its bytes come; a"
                    + " connection that does not is closed (with `408` if part of a request came), and never holds"
                    + " up other requests. Also the time it has to take an answer, and how long a kept-alive"
                    + " connection may stay idle. Not the time an action may take: `POST /reload` runs as long as"
                    + " it needs");

    public static final KernelOption<Path> ADMIN_TOKEN_FILE = define(
                    ADMIN, "admin.token-file", ValueType.PATH, Path.of(""))
            .restart("the file holding the token every admin request must carry (`Authorization: Bearer <token>`);"
                    + " empty = `<data.dir>/admin.token`. Created owner-only at the first start, then reused, so the"
                    + " kernels of one installation share it and the launcher's commands find it (docs/SECURITY.md)");

    public static final KernelOption<Boolean> ADMIN_ALLOW_PLAINTEXT_REMOTE = define(
                    ADMIN, "admin.allow-plaintext-remote", ValueType.BOOLEAN, false)
            .restart("let the admin endpoint listen on a non-loopback `admin.host` in plain HTTP (a warning is"
                    + " logged); `false` = such a bind needs `tls.enabled` (the endpoint then speaks HTTPS) or fails"
                    + " at start, since the token would cross the network in clear text");

    public static final KernelOption<Boolean> METRICS_ENABLED = define(
                    METRICS, "metrics.enabled", ValueType.BOOLEAN, true)
            .restart("count and time every call per method, on the client and the server side (docs/METRICS.md);"
                    + " `false` records nothing");

    public static final KernelOption<Path> PLUGINS_DIR =
            define(PLUGINS, "plugins.dir", ValueType.PATH, Path.of("plugins")).restart("the folder of plugin JARs");

    public static final KernelOption<Path> PLUGINS_ALLOW = define(PLUGINS, "plugins.allow", ValueType.PATH, Path.of(""))
            .accepts(v -> true, "a path, or empty")
            .restart("plugin pinning: a file of lines `<plugin-id> <version> <sha256>`. With it set, a JAR of"
                    + " `plugins.dir` whose id, version and SHA-256 it does not list is refused (`REFUSED`, the"
                    + " reason giving its hash and the line to add) and none of its code runs; empty = off. Edits of"
                    + " the file apply while the kernel runs (watched when `plugins.watch` is on, and on"
                    + " `POST /reload`); a missing or malformed file fails the start. The key itself applies at"
                    + " restart: an edit of the configuration cannot turn pinning off in a running kernel."
                    + " `bin/microrpc plugins --pins` prints the lines of a folder (docs/SECURITY.md, \"Plugin"
                    + " trust\")");

    public static final KernelOption<Path> DATA_DIR = define(PLUGINS, "data.dir", ValueType.PATH, Path.of("data"))
            .restart("kernel data: private copies of plugin JARs (`plugin-cache/`), a directory per plugin"
                    + " (`plugins/<id>/`)");

    public static final KernelOption<Boolean> PLUGINS_WATCH = define(PLUGINS, "plugins.watch", ValueType.BOOLEAN, true)
            .restart("watch `plugins.dir` and load, replace or remove plugins at runtime (docs/HOT-SWAP.md)");

    public static final KernelOption<Duration> PLUGINS_WATCH_DEBOUNCE = define(
                    PLUGINS, "plugins.watch-debounce", ValueType.DURATION, Duration.ofMillis(500))
            .accepts(v -> v.compareTo(Duration.ZERO) > 0, "> 0")
            .restart("a changed JAR is acted on once it has stayed unchanged this long");

    public static final KernelOption<Duration> PLUGINS_DRAIN_TIMEOUT = define(
                    PLUGINS, "plugins.drain-timeout", ValueType.DURATION, Duration.ofSeconds(30))
            .accepts(v -> v.compareTo(Duration.ZERO) > 0, "> 0")
            .live("how long a replaced plugin waits for the calls still using it before it is unloaded anyway");

    public static final KernelOption<Duration> PLUGINS_START_TIMEOUT = define(
                    PLUGINS, "plugins.start-timeout", ValueType.DURATION, Duration.ofSeconds(30))
            .accepts(v -> v.compareTo(Duration.ZERO) > 0, "> 0")
            .live("how long a plugin's `start()` may run (its `Plugin` class and every extension's `start`,"
                    + " together, on a thread of their own); past it, or when `start()` throws anything (even an"
                    + " `Error`), the plugin is reported `FAILED` with the reason and skipped, and the kernel and"
                    + " the other plugins carry on. A start past it is abandoned (its thread interrupted, never"
                    + " reused). Also bounds a restart with new keys (past it the edit is refused) and a `stop()` at"
                    + " runtime. docs/WRITING-PLUGINS.md, \"When `start()` misbehaves\"");

    public static final KernelOption<Duration> PLUGINS_REPLACE_GRACE = define(
                    PLUGINS, "plugins.replace-grace", ValueType.DURATION, Duration.ofSeconds(5))
            .accepts(v -> !v.isNegative(), ">= 0")
            .live("how long the removal of a plugin is held back while a file that may replace it is still being"
                    + " written (a slow `cp` after an `rm`), and after the JAR of the only provider of something"
                    + " calls need was deleted (`rm old.jar`, then the new one seconds later); past it the plugin is"
                    + " removed. docs/HOT-SWAP.md");

    public static final KernelOption<Boolean> CONFIG_WATCH = define(PLUGINS, "config.watch", ValueType.BOOLEAN, true)
            .restart("watch the configuration file and apply edits of the live keys while the kernel runs (below)");

    public static final KernelOption<List<String>> SERIALIZER_ALLOWED_TYPES = define(
                    PLUGINS, "serializer.allowed-types", ValueType.LIST, List.of())
            .restart("extra classes (comma-separated) serializers may instantiate, beyond the declared types of"
                    + " exported and referenced interfaces");

    public static final KernelOption<String> LOADBALANCER = define(PLUGINS, "loadbalancer", ValueType.STRING, "")
            .accepts(v -> true, "a name or a comma-separated preference list, or empty")
            .perService("loadbalancer")
            .live("active load balancer: a name or a preference list (`p2c,round-robin`: the first loaded one is"
                    + " active, so removing its plugin falls back to the next); empty = the first loaded one by"
                    + " name. The distribution's `conf/microrpc.properties` sets `p2c,round-robin`; it ships"
                    + " `plugin-lb-adaptive` (`p2c`, `least-active`, `shortest-response`), `plugin-lb-weighted`"
                    + " (`round-robin`, `random`) and `plugin-lb-consistenthash` (`consistent-hash`); which to use"
                    + " when, and their keys: docs/LOAD-BALANCING.md");

    public static final KernelOption<String> CLUSTER = define(PLUGINS, "cluster", ValueType.STRING, "")
            .accepts(v -> true, "a name or a comma-separated preference list, or empty")
            .perService("cluster")
            .live("active cluster policy, same form; none loaded = one attempt per call. The distribution's"
                    + " `conf/microrpc.properties` sets `failover`, from `plugin-cluster-failover` (retries on other"
                    + " providers, retry budget, circuit breakers; docs/FAULT-TOLERANCE.md)");

    public static final KernelOption<String> REGISTRY = define(PLUGINS, "registry", ValueType.STRING, "")
            .accepts(v -> true, "a name or a comma-separated preference list, or empty")
            .live("active registry, same form; empty = the only loaded one (the distribution ships"
                    + " `plugin-registry-zookeeper`); `none` (a name no plugin has) = no registry: direct addresses"
                    + " only, nothing registered. `demo` always runs without one");

    public static final KernelOption<List<String>> FILTERS = define(PLUGINS, "filters", ValueType.LIST, List.of())
            .live("active filters by name (comma-separated); empty = every loaded filter");

    private static final List<KernelOption<?>> ALL = List.copyOf(DECLARED);

    private static final Map<String, KernelOption<?>> BY_KEY = byKey();

    private KernelOptions() {}

    /** Every declaration, in the order of the documentation. */
    public static List<KernelOption<?>> all() {
        return ALL;
    }

    /** The declaration of {@code key}, if it is a kernel key (not a per-service or extension key). */
    public static Optional<KernelOption<?>> forKey(String key) {
        return Optional.ofNullable(BY_KEY.get(key));
    }

    private static <T> KernelOption.Declaration<T> define(Section section, String key, ValueType<T> type, T dflt) {
        return new KernelOption.Declaration<>(section, key, type, dflt, DECLARED::add);
    }

    private static Map<String, KernelOption<?>> byKey() {
        Map<String, KernelOption<?>> out = new LinkedHashMap<>();
        for (KernelOption<?> o : ALL) {
            if (out.put(o.key(), o) != null) {
                throw new IllegalStateException("key declared twice: " + o.key());
            }
        }
        return out;
    }
}
