package io.microrpc.kernel.internal.transport;

import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.internal.protocol.Frame;
import io.microrpc.kernel.internal.protocol.FrameDecoder;
import io.microrpc.kernel.internal.protocol.Frames;
import io.microrpc.kernel.internal.tls.TransportSecurity;
import io.microrpc.spi.RpcException;
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
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.PromiseCombiner;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
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
 * <p>Thread-safe, with one owner per piece of state, as in grpc-java's {@code NettyClientHandler}.
 * Every channel of this connection is registered on one event loop, {@code loop}, and only that
 * thread changes the connection: its state, channel and write queue, the scheduled reconnect, the
 * backoff, the outcome of {@link #firstConnect()}. Other threads read the state (volatile) and hand
 * the loop a task for anything that changes it ({@link #close()}, the last {@link #cancel} of a
 * draining connection), so no check-then-act spans two threads. The one thing callers write is the
 * pending map (concurrent): {@link #send} registers a call, then re-reads the state; the loop changes
 * the state before it fails the pending calls, so a call either sees the change and is not sent, or
 * is failed by it. The pending map is per connection, so responses on different connections never
 * contend on one lock.
 */
public final class ClientConnection {

    private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);

    /** Connection states, visible to callers through {@link #isReady()}. */
    public enum State {
        CONNECTING,
        READY,
        DRAINING,
        CLOSED
    }

    private static final AtomicLong STATE_CHANGES = new AtomicLong();

    private final String address;
    private final String host;
    private final int port;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final Map<Long, ResponseListener> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final CompletableFuture<Void> firstConnect = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    // Written on the loop only; read by any thread.
    private volatile State state = State.CONNECTING;
    private volatile Channel channel;
    private volatile WriteQueue writes;

    // Used on the loop only.
    private final Backoff backoff;
    private Channel connecting;
    private ScheduledFuture<?> reconnect;
    /** Why the last TLS handshake failed, logged once until one succeeds; null after a success. */
    private volatile String tlsFailure;
    /**
     * Why the server ended the last TLS session by an alert after the handshake (with TLS 1.3 a server
     * refuses a client's certificate only then); logged once until a frame arrives on a connection.
     */
    private volatile String tlsAlert;

    ClientConnection(String host, int port, KernelSettings settings, EventLoopGroup group, TransportSecurity security) {
        this.address = host + ':' + port;
        this.host = host;
        this.port = port;
        this.loop = group.next();
        this.backoff = new Backoff(settings.reconnectInitialBackoff(), settings.reconnectMaxBackoff());
        long idleMillis = settings.heartbeatInterval().toMillis();
        int missedPongs = settings.heartbeatMissedPongs();
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(Transports.socketChannelClass())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        settings.callConnectTimeout().toMillis())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (security != null) {
                            ch.pipeline().addLast("tls", security.newClientHandler(ch.alloc(), host, port));
                        }
                        ch.pipeline()
                                .addLast("idle", new IdleStateHandler(idleMillis, 0, 0, TimeUnit.MILLISECONDS))
                                .addLast("frames", new FrameDecoder(settings.protocolMaxFrameSize()))
                                .addLast("responses", new InboundHandler(missedPongs));
                    }
                });
    }

    public String address() {
        return address;
    }

    /**
     * Changes of any connection's state so far, in this process: a caller that computed something from
     * connection states (the ready endpoints of a service) reuses it while this count stays the same.
     */
    public static long stateChanges() {
        return STATE_CHANGES.get();
    }

    /** Event loop only. */
    private void setState(State next) {
        if (state != next) {
            state = next;
            STATE_CHANGES.incrementAndGet();
        }
    }

    public State state() {
        return state;
    }

    /**
     * Why this connection is not ready, when it is known to be more than "connecting": the last TLS
     * handshake failed. Null otherwise.
     */
    public String failure() {
        String tls = tlsFailure;
        if (tls != null) {
            return "TLS handshake failed: " + tls;
        }
        String alert = tlsAlert;
        return alert == null ? null : "TLS session refused: " + alert;
    }

    /** True when new calls may be sent on this connection now. */
    public boolean isReady() {
        return state == State.READY;
    }

    /** Completes when the connection first becomes ready; fails if it is closed before. */
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
     * to the connection. Returns false (and releases the frame) when the connection is not ready. Any
     * thread; does not block.
     */
    public boolean send(long id, ByteBuf frame, ResponseListener listener) {
        WriteQueue w = writes;
        if (state != State.READY || w == null) {
            frame.release();
            return false;
        }
        pending.put(id, listener);
        if (state != State.READY || writes != w) {
            // The loop closed (or closed and reopened) the channel between the check and the
            // registration, and may have failed the pending calls already, so this one would wait for
            // its timeout. Report it as not sent instead.
            pending.remove(id);
            frame.release();
            return false;
        }
        w.enqueue(frame);
        return true;
    }

    /** Sends a frame that expects no response (one-way). Any thread; does not block. */
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
        return cancel(id, false);
    }

    /**
     * Forgets request {@code id}; with {@code tellServer}, and if it was still pending, also sends the
     * server a {@code CANCEL} frame so it drops the call (best effort: nothing is sent on a connection
     * that is not open). True if it was still pending.
     */
    public boolean cancel(long id, boolean tellServer) {
        boolean removed = pending.remove(id) != null;
        if (removed && tellServer) {
            WriteQueue w = writes;
            Channel ch = channel;
            if (w != null && ch != null && state != State.CLOSED) {
                w.enqueue(Frames.cancel(ch.alloc(), id));
            }
        }
        if (removed && state == State.DRAINING) {
            execute(this::closeIfDrained);
        }
        return removed;
    }

    /** Starts connecting; called once, by {@link ClientTransport}. Does not block. */
    void connect() {
        execute(this::connectNow);
    }

    /**
     * Closes for good: no reconnect; pending calls fail with UNAVAILABLE. Does not wait: the
     * connection's event loop does the work, and the returned future completes once it has closed the
     * channel. Any thread; idempotent (every call returns the same future).
     */
    public CompletableFuture<Void> close() {
        execute(this::closeNow);
        return closed;
    }

    /**
     * Runs {@code task} on the loop. A loop that has shut down refuses it; then it has already closed
     * this connection's channels on its way out and will run nothing of it again, so the connection is
     * closed here, by the only thread left that uses it.
     */
    private void execute(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            setState(State.CLOSED);
            failClosed();
            closed.complete(null);
        }
    }

    private void connectNow() {
        reconnect = null;
        if (state == State.CLOSED) {
            return;
        }
        ChannelFuture f = bootstrap.connect(new InetSocketAddress(host, port));
        connecting = f.channel();
        f.addListener((ChannelFuture cf) -> {
            if (loop.inEventLoop()) {
                onConnectDone(cf);
            } else {
                // A channel that could not even be created reports on another executor.
                execute(() -> onConnectDone(cf));
            }
        });
    }

    private void onConnectDone(ChannelFuture cf) {
        Channel ch = cf.channel();
        if (connecting == ch) {
            connecting = null;
        }
        if (state == State.CLOSED) {
            ch.close();
            return;
        }
        if (!cf.isSuccess()) {
            log.debug("Connect to {} failed: {}", address, cf.cause().toString());
            scheduleReconnect();
            return;
        }
        SslHandler tls = ch.pipeline().get(SslHandler.class);
        if (tls == null) {
            ready(ch);
        } else {
            connecting = ch; // closed by closeNow() while its handshake runs
            tls.handshakeFuture().addListener(h -> onHandshakeDone(ch, h.isSuccess() ? null : h.cause()));
        }
    }

    /** Runs on the loop: the TLS handshake of {@code ch} is done, failed with {@code failure} if not null. */
    private void onHandshakeDone(Channel ch, Throwable failure) {
        if (connecting == ch) {
            connecting = null;
        }
        if (state == State.CLOSED) {
            ch.close();
            return;
        }
        if (failure != null) {
            String why = TransportSecurity.describeFailure(failure, "server");
            if (!why.equals(tlsFailure)) {
                log.warn("TLS handshake with {} failed: {}; retrying with backoff", address, why);
            } else {
                log.debug("TLS handshake with {} failed again: {}", address, why);
            }
            tlsFailure = why;
            ch.close();
            scheduleReconnect();
            return;
        }
        if (tlsFailure != null) {
            log.info("TLS handshake with {} succeeded", address);
            tlsFailure = null;
        }
        ready(ch);
    }

    private void ready(Channel ch) {
        channel = ch;
        writes = new WriteQueue(ch);
        setState(State.READY);
        backoff.reset();
        ch.closeFuture().addListener(f -> onClosed());
        log.debug("Connected to {}", address);
        firstConnect.complete(null);
    }

    private void onClosed() {
        if (state == State.CLOSED) {
            return; // closeNow failed the pending calls and wants no reconnect
        }
        setState(State.CONNECTING);
        failPending(Status.of(Status.Code.UNAVAILABLE)
                .withDescription("connection to " + address + " closed before the response arrived"));
        log.info("Connection to {} closed; reconnecting", address);
        scheduleReconnect();
    }

    private void scheduleReconnect() {
        reconnect = loop.schedule(this::connectNow, backoff.nextDelayNanos(), TimeUnit.NANOSECONDS);
    }

    private void closeIfDrained() {
        Channel ch = channel;
        if (state == State.DRAINING && pending.isEmpty() && ch != null) {
            ch.close();
        }
    }

    private void closeNow() {
        if (state == State.CLOSED) {
            return;
        }
        setState(State.CLOSED);
        if (reconnect != null) {
            reconnect.cancel(false);
            reconnect = null;
        }
        failClosed();
        PromiseCombiner closing = new PromiseCombiner(loop);
        if (channel != null) {
            closing.add(channel.close());
        }
        if (connecting != null) {
            closing.add(connecting.close());
        }
        Promise<Void> done = loop.newPromise();
        done.addListener(f -> closed.complete(null));
        closing.finish(done);
    }

    private void failClosed() {
        firstConnect.completeExceptionally(Status.of(Status.Code.UNAVAILABLE)
                .withDescription("connection to " + address + " closed")
                .asException(RpcException.Progress.NOT_SENT));
        failPending(Status.of(Status.Code.UNAVAILABLE).withDescription("client closed"));
    }

    @SuppressWarnings("ModifyCollectionInEnhancedForLoop") // a ConcurrentHashMap's views allow removal
    private void failPending(Status status) {
        for (Long id : pending.keySet()) {
            ResponseListener l = pending.remove(id);
            if (l != null) {
                l.onConnectionFailure(status);
            }
        }
    }

    @Override
    public String toString() {
        return "ClientConnection{" + address + ", " + state + ", pending=" + pending.size() + '}';
    }

    /** Runs on the loop: reads responses and GOAWAY, answers pings, sends its own after a silence. */
    private final class InboundHandler extends ChannelInboundHandlerAdapter {

        private final int maxMissedPongs;
        private int missedPongs;

        InboundHandler(int maxMissedPongs) {
            this.maxMissedPongs = maxMissedPongs;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            missedPongs = 0;
            if (tlsAlert != null) {
                tlsAlert = null;
            }
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
                if (state == State.READY) { // not when closing: a closed connection stays closed
                    log.info(
                            "Server {} is going away; finishing {} pending calls, then reconnecting",
                            address,
                            pending.size());
                    setState(State.DRAINING);
                    if (pending.isEmpty()) {
                        ctx.close();
                    }
                }
                return;
            }
            ResponseListener listener = pending.remove(frame.requestId());
            if (listener == null) {
                // Late response to a call that timed out or was cancelled.
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
                if (missedPongs >= maxMissedPongs) {
                    log.warn(
                            "No answer from {} to {} heartbeats; closing the connection and reconnecting",
                            address,
                            missedPongs);
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
            if (TransportSecurity.isTlsFailure(cause) && channel == ctx.channel()) {
                // after the handshake: the server refused this client (its certificate, with TLS 1.3)
                String why = TransportSecurity.describeFailure(cause, "server");
                if (!why.equals(tlsAlert)) {
                    log.warn("TLS session with {} ended by the server: {}", address, why);
                }
                tlsAlert = why;
            } else if (cause instanceof IOException || TransportSecurity.isTlsFailure(cause)) {
                // a failed handshake is logged once by onHandshakeDone
                log.debug("Connection to {} failed: {}", address, cause.toString());
            } else {
                log.warn("Closing connection to {} after an error", address, cause);
            }
            ctx.close();
        }
    }
}
