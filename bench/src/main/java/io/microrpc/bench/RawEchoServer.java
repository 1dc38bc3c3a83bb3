package io.microrpc.bench;

import io.microrpc.kernel.internal.protocol.Frame;
import io.microrpc.kernel.internal.protocol.FrameDecoder;
import io.microrpc.kernel.internal.protocol.Frames;
import io.microrpc.kernel.internal.protocol.Protocol;
import io.microrpc.kernel.internal.transport.Transports;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The yardstick's server: the kernel's framing, no serialization, no dispatch. Each request frame is
 * answered on the IO thread with the same frame, response flag set, body echoed without a copy; writes
 * are flushed once per read batch, the usual way to write a lean Netty server. Same transport (epoll
 * or NIO, via {@link Transports}), IO thread count and {@code TCP_NODELAY} as the kernel's server.
 */
final class RawEchoServer implements AutoCloseable {

    private static final int MAX_FRAME_SIZE = 8 * 1024 * 1024;

    private final EventLoopGroup boss = Transports.newGroup(1, "raw-accept");
    private final EventLoopGroup io = Transports.newGroup(0, "raw-server-io");
    private Channel serverChannel;

    /** Binds to {@code host} on an ephemeral port and returns the port. */
    int bind(String host) throws InterruptedException {
        ChannelHandler echo = new EchoHandler();
        serverChannel = new ServerBootstrap()
                .group(boss, io)
                .channel(Transports.serverChannelClass())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new FrameDecoder(MAX_FRAME_SIZE), echo);
                    }
                })
                .bind(host, 0)
                .sync()
                .channel();
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        io.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @ChannelHandler.Sharable
    private static final class EchoHandler extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Frame request = (Frame) msg;
            ByteBuf body = request.body();
            ByteBuf header = ctx.alloc().ioBuffer(Protocol.HEADER_LENGTH);
            Frames.writeHeader(
                    header,
                    (byte) (request.flags() | Protocol.FLAG_RESPONSE),
                    request.serializerId(),
                    (byte) 0,
                    request.requestId(),
                    body.readableBytes());
            ctx.write(header, ctx.voidPromise());
            // Ownership of the body slice passes to the channel, which releases it once written.
            ctx.write(body, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
