package io.microrpc.kernel.internal.transport;

import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.internal.protocol.Frame;
import io.microrpc.kernel.internal.protocol.FrameDecoder;
import io.microrpc.kernel.internal.protocol.FrameLimits;
import io.microrpc.kernel.internal.protocol.Frames;
import io.microrpc.kernel.internal.protocol.ThrottledLog;
import io.microrpc.kernel.internal.tls.TransportSecurity;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening side of the transport: accepts connections, decodes frames, answers pings, closes
 * connections whose client went silent, and hands requests to a {@link RequestHandler}.
 *
 * <p>Shutdown is in steps so the kernel can drain between them: {@link #stopAccepting()}, then
 * {@link #goAway()} (clients stop sending new calls here), then {@link #close()}.
 *
 * <p>Limits, so that no client can take the server's memory, descriptors or log: connections in total
 * and per remote address ({@link ConnectionLimits}); bytes of incomplete frames across connections
 * and the time to finish a frame ({@link FrameDecoder}); back-pressure: while a connection's unsent
 * answers are over the high water mark (its client does not read), the server does not read its
 * requests. A connection closed by an error is logged once, with the calls it had in flight.
 */
public final class ServerTransport implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServerTransport.class);
    private static final AttributeKey<ServerConnection> CONNECTION = AttributeKey.valueOf("microrpc.connection");

    private final KernelSettings settings;
    private final RequestHandler handler;
    private final TransportSecurity security;
    private final TlsOutcome tlsOutcome = new TlsOutcome();
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup ioGroup;
    private static final ThrottledLog REFUSALS = new ThrottledLog(
            1,
            TimeUnit.SECONDS,
            n -> log.warn(
                    "Refused {} more connections in the last second (server.max-connections, "
                            + "server.max-connections-per-address)",
                    n));
    private static final ThrottledLog CLOSURES = new ThrottledLog(
            1, TimeUnit.SECONDS, n -> log.info("{} more connections closed by network errors in the last second", n));

    private final ChannelGroup connections = new DefaultChannelGroup("microrpc-server", GlobalEventExecutor.INSTANCE);
    private final ConnectionLimits limits;
    private final FrameLimits frameLimits;
    private Channel serverChannel;

    /** A server; with {@code security} (may be null: plaintext) it speaks only TLS. */
    public ServerTransport(KernelSettings settings, RequestHandler handler, TransportSecurity security) {
        this.settings = settings;
        this.handler = handler;
        this.security = security;
        int maxConnections = ConnectionLimits.underDescriptorLimit(settings.serverMaxConnections());
        if (maxConnections < settings.serverMaxConnections()) {
            log.info(
                    "Accepting at most {} connections, not server.max-connections {}: the process may open {} file "
                            + "descriptors (ulimit -n), and some are kept for the admin endpoint, plugins and registries",
                    maxConnections,
                    settings.serverMaxConnections(),
                    ConnectionLimits.maxFileDescriptors());
        }
        this.limits = new ConnectionLimits(maxConnections, settings.serverMaxConnectionsPerAddress());
        this.frameLimits = new FrameLimits(settings.serverMaxBufferedBytes(), settings.serverFrameTimeout());
        this.bossGroup = Transports.newGroup(1, "microrpc-accept");
        this.ioGroup = Transports.newGroup(settings.serverIoThreads(), "microrpc-server-io");
    }

    /** Binds and returns the address actually bound (the port is chosen when the setting is 0). */
    public InetSocketAddress bind(String host, int port) throws InterruptedException {
        ChannelHandler inbound = new InboundHandler();
        long idleMillis = settings.heartbeatInterval().toMillis() * (settings.heartbeatMissedPongs() + 1);
        ServerBootstrap b = new ServerBootstrap()
                .group(bossGroup, ioGroup)
                .channel(Transports.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(
                        ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(
                                settings.serverWriteBufferLowWater(), settings.serverWriteBufferHighWater()))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (!admit(ch)) {
                            return;
                        }
                        ch.attr(CONNECTION).set(new ServerConnection(ch));
                        if (security != null) {
                            ch.pipeline()
                                    .addLast("tls", security.newServerHandler(ch.alloc()))
                                    .addLast("tls-outcome", tlsOutcome);
                        }
                        ch.pipeline()
                                .addLast("idle", new IdleStateHandler(idleMillis, 0, 0, TimeUnit.MILLISECONDS))
                                .addLast("frames", new FrameDecoder(settings.protocolMaxFrameSize(), frameLimits))
                                .addLast("requests", inbound);
                    }
                });
        serverChannel = b.bind(host, port).sync().channel();
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /**
     * Counts {@code ch} against the connection limits, or closes it at once (with a reset, so the server
     * keeps no TIME_WAIT for it) when it is over one.
     */
    private boolean admit(SocketChannel ch) {
        InetSocketAddress remote = ch.remoteAddress();
        InetAddress address = remote == null ? null : remote.getAddress();
        String refusal = limits.tryAdmit(address);
        if (refusal != null) {
            REFUSALS.log(
                    ch.eventLoop(),
                    more -> log.warn(
                            "Refusing connection from {}: {}{}",
                            remote,
                            refusal,
                            ThrottledLog.more(more, "connections refused")));
            ch.config().setOption(ChannelOption.SO_LINGER, 0);
            ch.close();
            return false;
        }
        ch.closeFuture().addListener(f -> limits.release(address));
        return true;
    }

    /** Connections refused so far by server.max-connections or server.max-connections-per-address. */
    public long refusedConnections() {
        return limits.refused();
    }

    /** Bytes reserved now for incomplete frames (server.max-buffered-bytes). */
    public long bufferedBytes() {
        return frameLimits.bufferedBytes();
    }

    /** Frames refused so far because server.max-buffered-bytes was spent. */
    public long refusedFrames() {
        return frameLimits.refused();
    }

    /** Connections closed so far because a frame did not arrive whole within server.frame-timeout. */
    public long frameTimeouts() {
        return frameLimits.timeouts();
    }

    /** Closes the listening socket; open connections keep working. */
    public void stopAccepting() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
    }

    /** Tells every connected client that this node is going away. */
    public void goAway() {
        for (Channel ch : connections) {
            ServerConnection c = ch.attr(CONNECTION).get();
            if (c != null) {
                c.send(Frames.goAway(ch.alloc()));
            }
        }
    }

    public int connectionCount() {
        return limits.open();
    }

    @Override
    public void close() {
        stopAccepting();
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @ChannelHandler.Sharable
    private final class InboundHandler extends ChannelInboundHandlerAdapter {

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            connections.add(ctx.channel());
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            ServerConnection c = ctx.channel().attr(CONNECTION).get();
            if (c != null) {
                c.cancelAll();
            }
            Throwable cause = c == null ? null : c.closeCause();
            if (cause != null) {
                logClosure(ctx, c, cause);
            }
            ctx.fireChannelInactive();
        }

        /**
         * Back-pressure: a client that does not read its answers gets no more requests read until the
         * answers waiting for it drain below the low water mark.
         */
        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            ctx.channel().config().setAutoRead(ctx.channel().isWritable());
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Frame frame = (Frame) msg;
            if (frame.isHeartbeat()) {
                long id = frame.requestId();
                frame.release();
                if (!frame.isResponse()) {
                    ctx.writeAndFlush(Frames.heartbeat(ctx.alloc(), id, true), ctx.voidPromise());
                }
                return;
            }
            if (frame.isCancel()) {
                long id = frame.requestId();
                frame.release();
                ServerConnection c = ctx.channel().attr(CONNECTION).get();
                if (c != null) {
                    c.cancel(id);
                }
                return;
            }
            if (frame.isResponse() || frame.isGoAway()) {
                log.debug(
                        "Ignoring unexpected {} from client {}",
                        frame,
                        ctx.channel().remoteAddress());
                frame.release();
                return;
            }
            handler.onRequest(ctx.channel().attr(CONNECTION).get(), frame);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent && ((IdleStateEvent) evt).state() == IdleState.READER_IDLE) {
                log.info(
                        "Closing connection {}: nothing received for {} heartbeat intervals",
                        ctx.channel().remoteAddress(),
                        settings.heartbeatMissedPongs() + 1);
                ctx.close();
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        /** Closes the connection on its first error; it is logged once, when the connection is closed. */
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ServerConnection c = ctx.channel().attr(CONNECTION).get();
            if (c == null) {
                log.warn("Closing connection {} after an error", ctx.channel().remoteAddress(), cause);
                ctx.close();
            } else if (c.closing(cause)) {
                ctx.close();
            }
        }
    }

    /**
     * Follows the TLS handshake of a connection: records the client's certificates when it succeeds;
     * when it fails (a plaintext client, a certificate not signed by {@code tls.trust}, none when one is
     * required), closes the connection with one log line, no stack trace, at most a line a second for all
     * connections. TLS errors after the handshake are logged the same way.
     */
    @ChannelHandler.Sharable
    private static final class TlsOutcome extends ChannelInboundHandlerAdapter {

        private final ThrottledLog failures = new ThrottledLog(
                1, TimeUnit.SECONDS, n -> log.warn("{} more TLS handshakes failed in the last second", n));

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent) {
                SslHandshakeCompletionEvent done = (SslHandshakeCompletionEvent) evt;
                if (done.isSuccess()) {
                    ServerConnection c = ctx.channel().attr(CONNECTION).get();
                    SslHandler tls = ctx.pipeline().get(SslHandler.class);
                    if (c != null && tls != null) {
                        c.peerCertificates(TransportSecurity.peerCertificates(tls.engine()));
                    }
                } else {
                    refuse(ctx, "TLS handshake with client {} failed: {}", done.cause());
                    return;
                }
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (TransportSecurity.isTlsFailure(cause)) {
                SslHandler tls = ctx.pipeline().get(SslHandler.class);
                if (tls == null || tls.handshakeFuture().isSuccess()) {
                    refuse(ctx, "TLS error on the connection of client {}: {}", cause);
                }
                ctx.close(); // a failed handshake is logged by its completion event
                return;
            }
            ctx.fireExceptionCaught(cause);
        }

        private void refuse(ChannelHandlerContext ctx, String format, Throwable cause) {
            Object remote = ctx.channel().remoteAddress();
            String why = TransportSecurity.describeFailure(cause, "client");
            failures.log(
                    ctx.executor(),
                    more -> log.warn(format + "{}", remote, why, ThrottledLog.more(more, "TLS handshakes failed")));
            ctx.close();
        }
    }

    /**
     * One line per connection an error closed: a network error (the client reset or vanished) without
     * a stack trace, at most one line a second for all connections; anything else with its stack trace.
     */
    private static void logClosure(ChannelHandlerContext ctx, ServerConnection c, Throwable cause) {
        Object remote = ctx.channel().remoteAddress();
        int calls = c.callsInFlight();
        String dropped = calls == 0 ? "" : "; " + calls + " calls were in flight, their answers are dropped";
        if (cause instanceof IOException) {
            CLOSURES.log(
                    ctx.executor(),
                    more -> log.info(
                            "Connection {} closed: {}{}{}",
                            remote,
                            cause.getMessage(),
                            dropped,
                            ThrottledLog.more(more, "connections closed by network errors")));
        } else {
            log.warn("Closed connection {} after an error{}", remote, dropped, cause);
        }
    }
}
