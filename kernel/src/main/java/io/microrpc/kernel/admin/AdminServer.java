package io.microrpc.kernel.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.plugin.KernelEvent;
import io.microrpc.kernel.internal.transport.KernelThreadFactory;
import io.microrpc.kernel.plugin.PluginReport;
import io.microrpc.spi.ServiceInstance;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's HTTP endpoint of a running kernel, on loopback by default (JDK HTTP server, no extra
 * dependency). Plain-text answers:
 * <ul>
 *   <li>{@code GET /health} — {@code ok};</li>
 *   <li>{@code GET /plugins} — each JAR's state, generations, and the active extension per point;</li>
 *   <li>{@code GET /metrics} — call counts and latencies per method, in the Prometheus text format;</li>
 *   <li>{@code POST /switch?point=loadbalancer&name=round-robin[&service=...]} — switch a point;</li>
 *   <li>{@code POST /reload} — read the configuration file again and apply its live keys, and apply the
 *       plugins folder, now instead of waiting for the watchers;</li>
 *   <li>{@code POST /weight?weight=20[&service=...]} — the weight registries publish for this kernel's
 *       services (all, or one);</li>
 *   <li>{@code POST /shutdown} — a graceful stop: by default the kernel unregisters, drains and closes,
 *       then the endpoint closes ({@code microrpc serve} then exits 0).</li>
 * </ul>
 * Changes need POST, and requests carrying a browser {@code Origin} header are refused, so a web page
 * cannot drive the endpoint through the operator's browser.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

    /** The Prometheus text exposition format's content type. */
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final MicroRpc rpc;
    private final HttpServer server;
    private final Runnable stop;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    private AdminServer(MicroRpc rpc, HttpServer server, Runnable stop) {
        this.rpc = rpc;
        this.server = server;
        this.stop = stop != null ? stop : () -> {
            rpc.close();
            close();
        };
    }

    /**
     * Starts the endpoint on {@code host:port}; if that port is taken (another kernel on this machine),
     * on a free one, with a warning naming it.
     */
    public static AdminServer start(MicroRpc rpc, String host, int port) throws IOException {
        return start(rpc, host, port, null);
    }

    /**
     * Starts the endpoint, with {@code stop} as what {@code POST /shutdown} does (run once, on a thread
     * of its own, after the answer is sent); null: close the kernel gracefully, then this endpoint.
     */
    public static AdminServer start(MicroRpc rpc, String host, int port, Runnable stop) throws IOException {
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(host, port), 16);
        } catch (java.net.BindException e) {
            http = HttpServer.create(new InetSocketAddress(host, 0), 16);
            log.warn("Admin port {} is taken; the admin endpoint listens on {} instead", port, http.getAddress().getPort());
        }
        AdminServer admin = new AdminServer(rpc, http, stop);
        http.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "microrpc-admin");
            t.setDaemon(true);
            return t;
        }));
        http.createContext("/", admin::handle);
        http.start();
        log.info("Admin endpoint on http://{}:{}/ (plugins, metrics, switch, weight, reload, health, shutdown)", host,
                http.getAddress().getPort());
        return admin;
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            if (ex.getRequestHeaders().containsKey("Origin")) {
                reply(ex, 403, "requests from web pages are refused\n");
                return;
            }
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            Map<String, String> q = query(ex.getRequestURI().getRawQuery());
            if (path.equals("/health")) {
                reply(ex, 200, "ok\n");
            } else if (path.equals("/plugins") && method.equals("GET")) {
                reply(ex, 200, describe(rpc));
            } else if (path.equals("/metrics") && method.equals("GET")) {
                reply(ex, 200, rpc.metricsText(), PROMETHEUS_TEXT);
            } else if (path.equals("/switch") && method.equals("POST")) {
                String point = q.get("point");
                String name = q.getOrDefault("name", "");
                if (point == null) {
                    reply(ex, 400, "missing query parameter 'point' (serializer, loadbalancer, cluster or registry)\n");
                    return;
                }
                rpc.switchExtension(point, name, q.get("service"));
                reply(ex, 200, "switched " + point + (q.get("service") == null ? "" : " of " + q.get("service"))
                        + " to " + (name.isEmpty() ? "the global choice" : name) + "\n" + describe(rpc));
            } else if (path.equals("/weight") && method.equals("POST")) {
                String weight = q.get("weight");
                if (weight == null || !weight.matches("\\d{1,7}")) {
                    reply(ex, 400, "weight: '" + (weight == null ? "" : weight) + "' (expected: query parameter weight, "
                            + "an integer 0-" + ServiceInstance.MAX_WEIGHT + "; 0 takes no traffic)\n");
                    return;
                }
                StringBuilder out = new StringBuilder();
                rpc.weigh(q.get("service"), Integer.parseInt(weight)).forEach(i -> out.append("registered ").append(i).append('\n'));
                reply(ex, 200, out.length() == 0 ? "no exported services\n" : out.toString());
            } else if (path.equals("/shutdown") && method.equals("POST")) {
                if (!stopping.compareAndSet(false, true)) {
                    reply(ex, 200, "already stopping\n");
                    return;
                }
                log.info("Stop requested through the admin endpoint: unregistering, draining in-flight calls, closing");
                java.time.Duration drain = rpc.settings().shutdownTimeout();
                reply(ex, 200, "stopping: unregistering, draining in-flight calls (at most server.shutdown-timeout "
                        + io.microrpc.spi.Durations.format(drain) + "), then closing\n");
                new KernelThreadFactory("microrpc-stop").newThread(stop).start();
            } else if (path.equals("/reload") && method.equals("POST")) {
                StringBuilder out = new StringBuilder();
                if (rpc.hasConfigurationFile()) {
                    List<String> changes = rpc.reloadConfiguration();
                    out.append(changes.isEmpty() ? "configuration: no live key changed\n" : "configuration: " + String.join("\n  ", changes) + "\n");
                }
                rpc.reloadPlugins();
                reply(ex, 200, out + describe(rpc));
            } else {
                reply(ex, 404, "unknown: " + method + ' ' + path + " (try GET /plugins, GET /metrics, POST /switch, POST /weight, POST /reload, POST /shutdown, GET /health)\n");
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            reply(ex, 400, e.getMessage() + "\n");
        } catch (RuntimeException e) {
            log.warn("Admin request {} failed", ex.getRequestURI(), e);
            reply(ex, 500, e + "\n");
        }
    }

    /** The text of {@code GET /plugins}, also printed by {@code microrpc plugins}. */
    public static String describe(MicroRpc rpc) {
        StringBuilder out = new StringBuilder();
        out.append("Plugins folder: ").append(rpc.settings().pluginsDir()).append('\n');
        List<PluginReport> reports = rpc.plugins();
        if (reports.isEmpty()) {
            out.append("  (no plugin JARs)\n");
        }
        out.append(String.format("%-40s %-22s %-10s %-8s %s%n", "FILE", "ID", "VERSION", "STATE", "EXTENSIONS / REASON"));
        for (PluginReport r : reports) {
            out.append(String.format("%-40s %-22s %-10s %-8s %s%n", r.file(), orDash(r.pluginId()), orDash(r.version()),
                    r.state(), r.state() == PluginReport.State.STARTED ? String.join(", ", r.extensions()) : r.reason()));
        }
        out.append("\nGenerations:\n");
        List<String> generations = rpc.generations();
        if (generations.isEmpty()) {
            out.append("  -\n");
        }
        generations.forEach(g -> out.append("  ").append(g).append('\n'));
        out.append("\nServices:\n");
        out.append(String.format("  %-14s %s%n", "exported", listOrDash(new java.util.TreeSet<>(rpc.exportedServices()))));
        out.append(String.format("  %-14s %s%n", "referenced", listOrDash(rpc.referencedServices())));
        out.append("\nActive:\n");
        rpc.activeExtensions().forEach((point, active) -> out.append(String.format("  %-14s %s%n", point, active)));
        List<KernelEvent> events = rpc.events(0);
        if (!events.isEmpty()) {
            out.append("\nRecent changes:\n");
            java.time.format.DateTimeFormatter time = java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss")
                    .withZone(java.time.ZoneId.systemDefault());
            events.subList(Math.max(0, events.size() - 10), events.size()).forEach(e -> out.append("  ")
                    .append(time.format(java.time.Instant.ofEpochMilli(e.timeMillis()))).append(' ').append(e.text()).append('\n'));
        }
        Map<String, List<ServiceInstance>> discovered = rpc.discoveredProviders();
        if (!discovered.isEmpty()) {
            out.append("\nDiscovered providers:\n");
            discovered.forEach((service, providers) -> {
                out.append("  ").append(service).append('\n');
                if (providers.isEmpty()) {
                    out.append("    (none)\n");
                }
                providers.forEach(i -> out.append("    ").append(i.address()).append(" weight=").append(i.weight())
                        .append(" protocol=").append(i.protocolVersion()).append(" serializers=")
                        .append(String.join(",", i.serializers())).append('\n'));
            });
        }
        return out.toString();
    }

    private static String listOrDash(java.util.Collection<String> names) {
        return names.isEmpty() ? "-" : String.join(", ", names);
    }

    private static String orDash(String s) {
        return s == null ? "-" : s;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        reply(ex, status, body, "text/plain; charset=utf-8");
    }

    private static void reply(HttpExchange ex, int status, String body, String contentType) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(bytes);
        }
    }

    /** Stops the endpoint. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
