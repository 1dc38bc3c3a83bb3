package io.microrpc.kernel.internal.transport;

import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.internal.protocol.Frame;
import io.microrpc.kernel.internal.protocol.FrameDecoder;
import io.microrpc.kernel.internal.protocol.Frames;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;
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
 */
public final class ServerTransport implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServerTransport.class);
    private static final AttributeKey<ServerConnection> CONNECTION = AttributeKey.valueOf("microrpc.connection");

    private final KernelSettings settings;
    private final RequestHandler handler;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup ioGroup;
    private final ChannelGroup connections = new DefaultChannelGroup("microrpc-server", GlobalEventExecutor.INSTANCE);
    private Channel serverChannel;

    public ServerTransport(KernelSettings settings, RequestHandler handler) {
        this.settings = settings;
        this.handler = handler;
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
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.attr(CONNECTION).set(new ServerConnection(ch));
                        ch.pipeline()
                                .addLast("idle", new IdleStateHandler(idleMillis, 0, 0, TimeUnit.MILLISECONDS))
                                .addLast("frames", new FrameDecoder(settings.maxFrameSize()))
                                .addLast("requests", inbound);
                    }
                });
        serverChannel = b.bind(host, port).sync().channel();
        return (InetSocketAddress) serverChannel.localAddress();
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
        return connections.size();
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
            if (frame.isResponse() || frame.isGoAway()) {
                log.debug("Ignoring unexpected {} from client {}", frame, ctx.channel().remoteAddress());
                frame.release();
                return;
            }
            handler.onRequest(ctx.channel().attr(CONNECTION).get(), frame);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent && ((IdleStateEvent) evt).state() == IdleState.READER_IDLE) {
                log.info("Closing connection {}: nothing received for {} heartbeat intervals",
                        ctx.channel().remoteAddress(), settings.heartbeatMissedPongs() + 1);
                ctx.close();
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.warn("Closing connection {} after an error", ctx.channel().remoteAddress(), cause);
            ctx.close();
        }
    }
}
