package io.microrpc.bench;

import io.microrpc.kernel.internal.protocol.Frame;
import io.microrpc.kernel.internal.protocol.FrameDecoder;
import io.microrpc.kernel.internal.protocol.Frames;
import io.microrpc.kernel.internal.protocol.Protocol;
import io.microrpc.kernel.internal.transport.Transports;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The yardstick's client: one connection, many requests in flight, each a frame with the kernel's
 * header and an opaque body, matched to its echo by request id.
 *
 * <p>It does the least any multiplexing client must do, the same way the kernel does it, so that the
 * ratio measures what microrpc adds (proxy, invocation, filters, codec, timeouts, worker hand-off)
 * rather than harness differences: the body is written into a pooled buffer per call; a
 * {@link ConcurrentHashMap} maps ids to futures (the kernel's pending map is one too); futures
 * complete on the IO thread. A call made from the IO thread while it reads (the closed loop's next
 * call) is written then and flushed once at the end of the read batch; other calls are flushed at once.
 *
 * <p>Thread-safe.
 */
final class RawEchoClient implements AutoCloseable {

    private static final int MAX_FRAME_SIZE = 8 * 1024 * 1024;

    private final EventLoopGroup group = Transports.newGroup(1, "raw-client-io");
    private final Map<Long, CompletableFuture<Integer>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final byte[] body;
    private final Channel channel;
    /** True while the IO thread is inside a read batch; touched only by the IO thread. */
    private boolean reading;

    private RawEchoClient(String host, int port, int bodySize) throws InterruptedException {
        this.body = Payloads.ascii(bodySize).getBytes(StandardCharsets.US_ASCII);
        this.channel = new Bootstrap()
                .group(group)
                .channel(Transports.socketChannelClass())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new FrameDecoder(MAX_FRAME_SIZE), new ResponseHandler());
                    }
                })
                .connect(host, port)
                .sync()
                .channel();
    }

    /** Connects to the raw echo server at {@code host:port}; each call sends {@code bodySize} bytes. */
    static RawEchoClient connect(String host, int port, int bodySize) throws InterruptedException {
        return new RawEchoClient(host, port, bodySize);
    }

    /** Sends one request; the future completes with the echoed body's size on the IO thread. */
    CompletableFuture<Integer> call() {
        long id = ids.incrementAndGet();
        CompletableFuture<Integer> result = new CompletableFuture<>();
        pending.put(id, result);
        ByteBuf frame = channel.alloc().ioBuffer(Protocol.HEADER_LENGTH + body.length);
        Frames.writeHeader(frame, (byte) 0, (byte) 1, (byte) 0, id, body.length);
        frame.writeBytes(body);
        if (channel.eventLoop().inEventLoop() && reading) {
            channel.write(frame, channel.voidPromise());
        } else {
            channel.writeAndFlush(frame, channel.voidPromise());
        }
        if (!channel.isActive() && pending.remove(id) != null) {
            result.completeExceptionally(new IOException("raw echo connection closed"));
        }
        return result;
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        failPending();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @SuppressWarnings("ModifyCollectionInEnhancedForLoop") // a ConcurrentHashMap's views allow removal
    private void failPending() {
        for (Long id : pending.keySet()) {
            CompletableFuture<Integer> f = pending.remove(id);
            if (f != null) {
                f.completeExceptionally(new IOException("raw echo connection closed"));
            }
        }
    }

    private final class ResponseHandler extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            reading = true;
            Frame response = (Frame) msg;
            int size = response.body().readableBytes();
            boolean isResponse = response.isResponse();
            CompletableFuture<Integer> f = pending.remove(response.requestId());
            response.release();
            if (f != null) {
                if (isResponse) {
                    f.complete(size);
                } else {
                    f.completeExceptionally(
                            new IOException("echo of request " + response.requestId() + " lacks the response flag"));
                }
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            reading = false;
            ctx.flush();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            failPending();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
