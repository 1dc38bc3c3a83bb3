package io.microrpc.kernel.admin;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.internal.transport.KernelThreadFactory;
import io.microrpc.spi.Durations;
import io.microrpc.spi.ServiceInstance;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What each admin request does to the kernel and what it answers, independent of HTTP. Each request is
 * given a {@link Lane}: answers that cannot block are computed on the event loop, reads of the kernel's
 * state on a small pool, and changes one at a time on a thread of their own, so a change that hangs
 * (a plugin's {@code start()} during {@code POST /reload}, a registry that does not answer during
 * {@code POST /weight}) holds up none of {@code GET /health}, {@code GET /metrics} and {@code GET /plugins}
 * (which reads published snapshots, never a lock a change holds). Thread-safe.
 */
final class AdminRoutes {

    private static final Logger log = LoggerFactory.getLogger(AdminRoutes.class);

    /** The Prometheus text exposition format's content type. */
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    /** Where a request's action runs. */
    enum Lane {
        /** On the connection's event loop: the action neither blocks nor calls into plugins. */
        INLINE,
        /** On the read pool: reads kernel state ({@code GET /plugins}, {@code GET /metrics}). */
        READ,
        /** On the change thread, one at a time, in arrival order: POST requests that change the kernel. */
        CHANGE
    }

    /** A request's lane and the action that answers it. */
    record Route(Lane lane, Function<AdminRequest, AdminAnswer> action) {}

    private final MicroRpc rpc;
    private final Runnable stop;
    private final AtomicBoolean stopping = new AtomicBoolean();

    /** {@code stop}: what {@code POST /shutdown} runs, on a thread of its own, once the answer is sent. */
    AdminRoutes(MicroRpc rpc, Runnable stop) {
        this.rpc = rpc;
        this.stop = stop;
    }

    /**
     * The route of {@code r}, whose sender was already checked ({@link AdminGuard}). Reads answer
     * {@code GET} (and {@code HEAD}); changes only {@code POST}, any other method is answered {@code 405}.
     */
    Route route(AdminRequest r) {
        String path = r.path();
        String method = r.method();
        boolean read = method.equals("GET") || method.equals("HEAD");
        switch (path) {
            case "/health":
                return read ? new Route(Lane.INLINE, x -> AdminAnswer.text(200, "ok\n")) : notAllowed("GET");
            case "/plugins":
                return read
                        ? new Route(Lane.READ, x -> AdminAnswer.text(200, AdminServer.describe(rpc)))
                        : notAllowed("GET");
            case "/metrics":
                return read
                        ? new Route(Lane.READ, x -> new AdminAnswer(200, rpc.metricsText(), PROMETHEUS_TEXT, null))
                        : notAllowed("GET");
            case "/switch":
                return method.equals("POST") ? new Route(Lane.CHANGE, this::switchExtension) : notAllowed("POST");
            case "/weight":
                return method.equals("POST") ? new Route(Lane.CHANGE, this::setWeight) : notAllowed("POST");
            case "/shutdown":
                return method.equals("POST") ? new Route(Lane.INLINE, x -> shutdown()) : notAllowed("POST");
            case "/reload":
                return method.equals("POST") ? new Route(Lane.CHANGE, x -> reload()) : notAllowed("POST");
            default:
                return new Route(
                        Lane.INLINE,
                        x -> AdminAnswer.text(
                                404,
                                "unknown: " + x.method() + ' ' + x.path()
                                        + " (try GET /plugins, GET /metrics, POST /switch, POST /weight, POST /reload,"
                                        + " POST /shutdown, GET /health)\n"));
        }
    }

    /** {@code 405} naming the method {@code allowed}: changes need POST, reads GET. */
    private static Route notAllowed(String allowed) {
        String allow = allowed.equals("GET") ? "GET, HEAD" : allowed;
        return new Route(
                Lane.INLINE,
                x -> AdminAnswer.text(
                                405,
                                x.method() + ' ' + x.path() + ": method not allowed (expected: " + allowed + ' '
                                        + x.path() + (allowed.equals("POST") ? "; changes need POST" : "") + ")\n")
                        .withHeader("Allow", allow));
    }

    /** Runs the route's action; a refused argument is a 400 naming what was wrong, anything else a 500. */
    AdminAnswer answer(Route route, AdminRequest r) {
        try {
            return route.action().apply(r);
        } catch (IllegalArgumentException | IllegalStateException e) {
            return AdminAnswer.text(400, e.getMessage() + "\n");
        } catch (RuntimeException e) {
            log.warn("Admin request {} failed", r.line(), e);
            return AdminAnswer.text(500, e + "\n");
        }
    }

    private AdminAnswer switchExtension(AdminRequest r) {
        Map<String, String> q = query(r.rawQuery());
        String point = q.get("point");
        String name = q.getOrDefault("name", "");
        if (point == null) {
            return AdminAnswer.text(
                    400, "missing query parameter 'point' (serializer, loadbalancer, cluster or registry)\n");
        }
        rpc.admin().switchExtension(point, name, q.get("service"));
        return AdminAnswer.text(
                200,
                "switched " + point + (q.get("service") == null ? "" : " of " + q.get("service")) + " to "
                        + (name.isEmpty() ? "the global choice" : name) + "\n" + AdminServer.describe(rpc));
    }

    private AdminAnswer setWeight(AdminRequest r) {
        Map<String, String> q = query(r.rawQuery());
        String weight = q.get("weight");
        if (weight == null || !weight.matches("\\d{1,7}")) {
            return AdminAnswer.text(
                    400,
                    "weight: '" + (weight == null ? "" : weight) + "' (expected: query parameter weight, "
                            + "an integer 0-" + ServiceInstance.MAX_WEIGHT + "; 0 takes no traffic)\n");
        }
        StringBuilder out = new StringBuilder();
        rpc.admin()
                .setWeight(q.get("service"), Integer.parseInt(weight))
                .forEach(i -> out.append("registered ").append(i).append('\n'));
        return AdminAnswer.text(200, out.length() == 0 ? "no exported services\n" : out.toString());
    }

    /** Inline: it only answers; the stop itself runs on a thread of its own once the answer is written. */
    private AdminAnswer shutdown() {
        if (!stopping.compareAndSet(false, true)) {
            return AdminAnswer.text(200, "already stopping\n");
        }
        log.info("Stop requested through the admin endpoint: unregistering, draining in-flight calls, closing");
        return AdminAnswer.text(
                        200,
                        "stopping: unregistering, draining in-flight calls (at most server.shutdown-timeout "
                                + Durations.format(rpc.settings().serverShutdownTimeout()) + "), then closing\n")
                .then(() ->
                        new KernelThreadFactory("microrpc-stop").newThread(stop).start());
    }

    private AdminAnswer reload() {
        StringBuilder out = new StringBuilder();
        if (rpc.hasConfigurationFile()) {
            List<String> changes = rpc.reloadConfiguration();
            out.append(
                    changes.isEmpty()
                            ? "configuration: no live key changed\n"
                            : "configuration: " + String.join("\n  ", changes) + "\n");
        }
        rpc.reloadPlugins();
        return AdminAnswer.text(200, out + AdminServer.describe(rpc));
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
}
