package io.microrpc.kernel.admin;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.internal.tls.TransportSecurity;
import io.microrpc.kernel.internal.transport.Transports;
import io.microrpc.kernel.plugin.KernelEvent;
import io.microrpc.kernel.plugin.PluginReport;
import io.microrpc.spi.ServiceInstance;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's HTTP endpoint of a running kernel, on loopback by default. Plain-text answers:
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
 * Every request must name this endpoint in its {@code Host} header and carry the installation's
 * {@link AdminToken}; changes need POST, and requests carrying a browser {@code Origin} header are refused
 * ({@link AdminGuard}), so neither a web page in the operator's browser nor another local user can drive
 * or read the endpoint. A non-loopback {@code admin.host} needs TLS ({@code tls.enabled}: HTTPS) or
 * {@code admin.allow-plaintext-remote=true}.
 *
 * <p>No client can stall it (issue 10: one connection that sent half its headers held the JDK server's
 * only thread, and {@code GET /health} timed out for 185 s). It runs on Netty with one event loop
 * thread of its own, which parses requests without blocking; a whole request must arrive within
 * {@code admin.request-timeout} ({@link RequestDeadline}); request line, headers and body are bounded
 * (414, 431, 413); at most {@link AdminLimits#MAX_CONNECTIONS} connections, the longest-waiting one
 * closed for a new one ({@link ConnectionSlots}); and actions that may block run off the event loop
 * ({@link AdminRoutes.Lane}), so {@code GET /health} answers while a change hangs. Netty rather than
 * the JDK server configured: the JDK server's limits are JVM-wide system properties
 * ({@code sun.net.httpserver.maxReqTime}, ...) read once per process, which an embeddable kernel must
 * not set for its host application, and it has no connection cap.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

    private final Channel server;
    private final EventLoopGroup loop;
    private final Lanes lanes;
    private final Path tokenFile;
    private final AtomicBoolean closed = new AtomicBoolean();

    private AdminServer(Channel server, EventLoopGroup loop, Lanes lanes, Path tokenFile) {
        this.server = server;
        this.loop = loop;
        this.lanes = lanes;
        this.tokenFile = tokenFile;
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
        return start(
                rpc, host, port, stop, AdminLimits.withTimeout(rpc.settings().adminRequestTimeout()));
    }

    /**
     * Starts the endpoint. On a loopback {@code host} it speaks HTTP; on any other, HTTPS with the
     * kernel's certificate when {@code tls.enabled} (reloaded like the RPC port's; clients are asked for a
     * certificate as {@code tls.client-auth} says), plain HTTP only with {@code
     * admin.allow-plaintext-remote}. The token is read from, or first created in, {@link AdminToken#file}
     * of the kernel's settings.
     *
     * @throws IllegalStateException when {@code host} is not a loopback address, TLS is off and {@code
     *     admin.allow-plaintext-remote} is false
     */
    static AdminServer start(MicroRpc rpc, String host, int port, Runnable stop, AdminLimits limits)
            throws IOException {
        InetAddress bound = InetAddress.getByName(host);
        boolean loopback = bound.isLoopbackAddress();
        TransportSecurity tls =
                !loopback && rpc.settings().tlsEnabled() ? TransportSecurity.start(rpc.settings()) : null;
        if (tls != null && !tls.canServe()) {
            tls.close();
            throw new IllegalStateException("admin.host: '" + host + "' is not a loopback address, so the admin"
                    + " endpoint speaks HTTPS with the kernel's certificate, and tls.cert and tls.key are not set");
        }
        if (!loopback && tls == null) {
            if (!rpc.settings().adminAllowPlaintextRemote()) {
                throw new IllegalStateException("admin.host: '" + host + "' is not a loopback address, and the admin"
                        + " endpoint has no TLS: its token and answers would cross the network in clear text"
                        + " (expected: a loopback admin.host such as 127.0.0.1; or tls.enabled=true for HTTPS;"
                        + " or admin.allow-plaintext-remote=true to accept plain HTTP on a network you trust)");
            }
            log.warn(
                    "The admin endpoint listens on {}, not a loopback address, in plain HTTP "
                            + "(admin.allow-plaintext-remote=true): anyone on the network path can read its token "
                            + "and answers",
                    host);
        }
        AdminToken token = AdminToken.loadOrCreate(AdminToken.file(rpc.settings()));
        // A wildcard bind listens on loopback too, where the loopback names are as safe as for a loopback bind.
        AdminGuard guard = new AdminGuard(host, loopback || bound.isAnyLocalAddress(), token);
        AtomicReference<AdminServer> self = new AtomicReference<>();
        AdminRoutes routes = new AdminRoutes(
                rpc,
                stop != null
                        ? stop
                        : () -> {
                            rpc.close();
                            self.get().close();
                        });
        // One thread accepts, parses and answers inline; it never blocks, and ConnectionSlots relies on it.
        EventLoopGroup loop = Transports.newGroup(1, "microrpc-admin");
        if (tls != null) {
            loop.terminationFuture().addListener(f -> tls.close()); // its reload thread ends with the endpoint
        }
        Lanes lanes = new Lanes();
        ConnectionSlots slots = new ConnectionSlots(limits.maxConnections());
        HttpDecoderConfig http = new HttpDecoderConfig()
                .setMaxInitialLineLength(limits.maxRequestLine())
                .setMaxHeaderSize(limits.maxHeaderBytes());
        ServerBootstrap b = new ServerBootstrap()
                .group(loop)
                .channel(Transports.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 128)
                .option(ChannelOption.SO_REUSEADDR, true) // a restarted kernel gets its port back at once, as before
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        RequestDeadline deadline = new RequestDeadline(limits.requestTimeout(), slots);
                        if (tls != null) {
                            ch.pipeline().addLast("tls", tls.newServerHandler(ch.alloc()));
                        }
                        ch.pipeline()
                                .addLast("deadline", deadline)
                                .addLast("http", new HttpServerCodec(http))
                                .addLast("admin", new AdminConnection(guard, routes, lanes, limits, deadline));
                    }
                });
        Channel server;
        try {
            server = bind(b, host, port);
        } catch (IOException e) {
            if (port == 0) {
                close(loop, lanes);
                throw e;
            }
            try {
                server = bind(b, host, 0);
            } catch (IOException second) {
                close(loop, lanes);
                throw e;
            }
            log.warn(
                    "Admin port {} is taken ({}); the admin endpoint listens on {} instead",
                    port,
                    e.getMessage(),
                    ((InetSocketAddress) server.localAddress()).getPort());
        }
        self.set(new AdminServer(server, loop, lanes, token.file()));
        log.info(
                "Admin endpoint on {}://{}:{}/ (plugins, metrics, switch, weight, reload, health, shutdown);"
                        + " requests need the token in {}",
                tls == null ? "http" : "https",
                host,
                self.get().address().getPort(),
                token.file());
        return self.get();
    }

    private static Channel bind(ServerBootstrap b, String host, int port) throws IOException {
        ChannelFuture bound = b.bind(host, port).awaitUninterruptibly();
        if (bound.isSuccess()) {
            return bound.channel();
        }
        Throwable cause = bound.cause();
        if (cause instanceof IOException) {
            throw (IOException) cause;
        }
        throw new IOException("cannot listen on " + host + ":" + port + ": " + cause, cause);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /** The file holding the token requests must carry ({@link AdminToken}). */
    public Path tokenFile() {
        return tokenFile;
    }

    /** The text of {@code GET /plugins}, also printed by {@code microrpc plugins}. */
    public static String describe(MicroRpc rpc) {
        StringBuilder out = new StringBuilder();
        out.append("Plugins folder: ").append(rpc.settings().pluginsDir()).append('\n');
        List<PluginReport> reports = rpc.plugins();
        if (reports.isEmpty()) {
            out.append("  (no plugin JARs)\n");
        }
        out.append(
                String.format("%-40s %-22s %-10s %-8s %s%n", "FILE", "ID", "VERSION", "STATE", "EXTENSIONS / REASON"));
        for (PluginReport r : reports) {
            out.append(String.format(
                    "%-40s %-22s %-10s %-8s %s%n",
                    r.file(),
                    orDash(r.pluginId()),
                    orDash(r.version()),
                    r.state(),
                    r.state() == PluginReport.State.STARTED ? String.join(", ", r.extensions()) : r.reason()));
        }
        out.append("\nGenerations:\n");
        List<String> generations = rpc.generations();
        if (generations.isEmpty()) {
            out.append("  -\n");
        }
        generations.forEach(g -> out.append("  ").append(g).append('\n'));
        out.append("\nServices:\n");
        out.append(String.format("  %-14s %s%n", "exported", listOrDash(new TreeSet<>(rpc.exportedServices()))));
        out.append(String.format("  %-14s %s%n", "referenced", listOrDash(rpc.referencedServices())));
        out.append("\nActive:\n");
        rpc.admin()
                .activeExtensions()
                .forEach((point, active) -> out.append(String.format("  %-14s %s%n", point, active)));
        List<KernelEvent> events = rpc.events(0);
        if (!events.isEmpty()) {
            out.append("\nRecent changes:\n");
            DateTimeFormatter time = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
            events.subList(Math.max(0, events.size() - 10), events.size())
                    .forEach(e -> out.append("  ")
                            .append(time.format(Instant.ofEpochMilli(e.timeMillis())))
                            .append(' ')
                            .append(e.text())
                            .append('\n'));
        }
        Map<String, List<ServiceInstance>> discovered = rpc.admin().discoveredProviders();
        if (!discovered.isEmpty()) {
            out.append("\nDiscovered providers:\n");
            discovered.forEach((service, providers) -> {
                out.append("  ").append(service).append('\n');
                if (providers.isEmpty()) {
                    out.append("    (none)\n");
                }
                providers.forEach(i -> out.append("    ")
                        .append(i.address())
                        .append(" weight=")
                        .append(i.weight())
                        .append(" protocol=")
                        .append(i.protocolVersion())
                        .append(" serializers=")
                        .append(String.join(",", i.serializers()))
                        .append('\n'));
            });
        }
        return out.toString();
    }

    private static String listOrDash(Collection<String> names) {
        return names.isEmpty() ? "-" : String.join(", ", names);
    }

    private static String orDash(String s) {
        return s == null ? "-" : s;
    }

    /** Stops the endpoint: the port is closed when this returns, open connections are closed. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        boolean onLoop = loop.next().inEventLoop();
        if (onLoop) {
            server.close();
        } else {
            server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        close(loop, lanes);
        if (!onLoop) {
            loop.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    private static void close(EventLoopGroup loop, Lanes lanes) {
        lanes.close();
        loop.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }
}
