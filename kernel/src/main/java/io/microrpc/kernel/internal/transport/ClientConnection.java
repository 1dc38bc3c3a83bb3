package io.microrpc.kernel.internal.transport;

import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.internal.protocol.Frame;
import io.microrpc.kernel.internal.protocol.FrameDecoder;
import io.microrpc.kernel.internal.protocol.Frames;
import io.microrpc.spi.Status;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One long-lived, multiplexed connection to one server address. Keeps itself connected: after a
 * close it reconnects with backoff until {@link #close()}. Sends a ping when nothing was received for
 * a heartbeat interval and closes (then reconnects) after the configured number of missed pongs.
 * After the server's GOAWAY it takes no new calls, lets the pending ones finish, then reconnects.
 *
 * <p>Thread-safe. The pending map is per connection, so responses on different connections never
 * contend on one lock.
 */
public final class ClientConnection {

    private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);

    /** Connection states, visible to callers through {@link #isReady()}. */
    public enum State { CONNECTING, READY, DRAINING, CLOSED }

    private final String address;
    private final InetSocketAddress socketAddress;
    private final KernelSettings settings;
    private final Bootstrap bootstrap;
    private final Backoff backoff;
    private final Map<Long, ResponseListener> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final CompletableFuture<Void> firstConnect = new CompletableFuture<>();

    private volatile State state = State.CONNECTING;
    private volatile Channel channel;
    private volatile WriteQueue writes;

    ClientConnection(String host, int port, KernelSettings settings, EventLoopGroup group) {
        this.address = host + ':' + port;
        this.socketAddress = InetSocketAddress.createUnresolved(host, port);
        this.settings = settings;
        this.backoff = new Backoff(settings.reconnectInitialBackoff(), settings.reconnectMaxBackoff());
        long idleMillis = settings.heartbeatInterval().toMillis();
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(Transports.socketChannelClass())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast("idle", new IdleStateHandler(idleMillis, 0, 0, TimeUnit.MILLISECONDS))
                                .addLast("frames", new FrameDecoder(settings.maxFrameSize()))
                                .addLast("responses", new InboundHandler());
                    }
                });
    }

    public String address() {
        return address;
    }

    public State state() {
        return state;
    }

    /** True when new calls may be sent on this connection now. */
    public boolean isReady() {
        return state == State.READY;
    }

    /** Completes when the connection first becomes ready. */
    public CompletableFuture<Void> firstConnect() {
        return firstConnect;
    }

    public ByteBufAllocator alloc() {
        Channel ch = channel;
        return ch != null ? ch.alloc() : ByteBufAllocator.DEFAULT;
    }

    /** A new request id, unique on this connection. */
    public long nextRequestId() {
        return ids.incrementAndGet();
    }

    /** Calls waiting for a response on this connection. */
    public int pendingCount() {
        return pending.size();
    }

    /**
     * Registers {@code listener} for request {@code id} and sends {@code frame}, whose ownership passes
     * to the connection. Returns false (and releases the frame) when the connection is not ready.
     */
    public boolean send(long id, ByteBuf frame, ResponseListener listener) {
        WriteQueue w = writes;
        if (state != State.READY || w == null) {
            frame.release();
            return false;
        }
        pending.put(id, listener);
        if (state != State.READY) {
            // Closed between the check and the registration: the close may already have failed the
            // pending calls, so this one would wait for its timeout. Report it as not sent instead.
            pending.remove(id);
            frame.release();
            return false;
        }
        w.enqueue(frame);
        return true;
    }

    /** Sends a frame that expects no response (one-way). */
    public boolean sendOneWay(ByteBuf frame) {
        WriteQueue w = writes;
        if (state != State.READY || w == null) {
            frame.release();
            return false;
        }
        w.enqueue(frame);
        return true;
    }

    /** Forgets request {@code id} (it timed out or was cancelled); true if it was still pending. */
    public boolean cancel(long id) {
        boolean removed = pending.remove(id) != null;
        if (removed && state == State.DRAINING && pending.isEmpty()) {
            closeChannel();
        }
        return removed;
    }

    void connect() {
        if (state == State.CLOSED) {
            return;
        }
        InetSocketAddress resolved = new InetSocketAddress(socketAddress.getHostString(), socketAddress.getPort());
        ChannelFuture f = bootstrap.connect(resolved);
        f.addListener((ChannelFuture cf) -> {
            if (!cf.isSuccess()) {
                log.debug("Connect to {} failed: {}", address, cf.cause().toString());
                scheduleReconnect(cf.channel());
                return;
            }
            Channel ch = cf.channel();
            if (state == State.CLOSED) {
                ch.close();
                return;
            }
            channel = ch;
            writes = new WriteQueue(ch);
            state = State.READY;
            backoff.reset();
            firstConnect.complete(null);
            log.debug("Connected to {}", address);
            ch.closeFuture().addListener(closed -> onClosed(ch));
        });
    }

    private void onClosed(Channel ch) {
        if (state != State.CLOSED) {
            state = State.CONNECTING;
        }
        failPending(Status.of(Status.Code.UNAVAILABLE)
                .withDescription("connection to " + address + " closed before the response arrived"));
        if (state != State.CLOSED) {
            log.info("Connection to {} closed; reconnecting", address);
            scheduleReconnect(ch);
        }
    }

    private void scheduleReconnect(Channel ch) {
        if (state == State.CLOSED) {
            return;
        }
        long delay = backoff.nextDelayNanos();
        (ch != null ? ch.eventLoop() : bootstrap.config().group().next())
                .schedule(this::connect, delay, TimeUnit.NANOSECONDS);
    }

    private void failPending(Status status) {
        for (Long id : pending.keySet()) {
            ResponseListener l = pending.remove(id);
            if (l != null) {
                l.onConnectionFailure(status);
            }
        }
    }

    private void closeChannel() {
        Channel ch = channel;
        if (ch != null) {
            ch.close();
        }
    }

    /** Closes for good: no reconnect; pending calls fail with UNAVAILABLE. */
    public void close() {
        state = State.CLOSED;
        firstConnect.completeExceptionally(Status.of(Status.Code.UNAVAILABLE)
                .withDescription("connection to " + address + " closed").asCheapException());
        Channel ch = channel;
        if (ch != null) {
            ch.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        failPending(Status.of(Status.Code.UNAVAILABLE).withDescription("client closed"));
    }

    @Override
    public String toString() {
        return "ClientConnection{" + address + ", " + state + ", pending=" + pending.size() + '}';
    }

    private final class InboundHandler extends ChannelInboundHandlerAdapter {

        private int missedPongs;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            missedPongs = 0;
            Frame frame = (Frame) msg;
            if (frame.isHeartbeat()) {
                long id = frame.requestId();
                boolean ping = !frame.isResponse();
                frame.release();
                if (ping) {
                    ctx.writeAndFlush(Frames.heartbeat(ctx.alloc(), id, true), ctx.voidPromise());
                }
                return;
            }
            if (frame.isGoAway()) {
                frame.release();
                log.info("Server {} is going away; finishing {} pending calls, then reconnecting", address, pending.size());
                state = State.DRAINING;
                if (pending.isEmpty()) {
                    ctx.close();
                }
                return;
            }
            ResponseListener listener = pending.remove(frame.requestId());
            if (listener == null) {
                // Late response to a call that already timed out.
                ReferenceCountUtil.release(frame.body());
            } else {
                listener.onResponse(frame);
            }
            if (state == State.DRAINING && pending.isEmpty()) {
                ctx.close();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent && ((IdleStateEvent) evt).state() == IdleState.READER_IDLE) {
                if (missedPongs >= settings.heartbeatMissedPongs()) {
                    log.warn("No answer from {} to {} heartbeats; closing the connection and reconnecting",
                            address, missedPongs);
                    ctx.close();
                    return;
                }
                missedPongs++;
                ctx.writeAndFlush(Frames.heartbeat(ctx.alloc(), 0, false), ctx.voidPromise());
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof java.io.IOException) {
                log.debug("Connection to {} failed: {}", address, cause.toString());
            } else {
                log.warn("Closing connection to {} after an error", address, cause);
            }
            ctx.close();
        }
    }
}
