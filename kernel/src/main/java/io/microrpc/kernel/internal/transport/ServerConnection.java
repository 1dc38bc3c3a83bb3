package io.microrpc.kernel.internal.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** One accepted connection, as the request dispatcher sees it. Thread-safe. */
public final class ServerConnection {

    private final Channel channel;
    private final WriteQueue writes;
    private final AtomicInteger calls = new AtomicInteger();
    /** What to do when the client cancels a call in flight, by request id. */
    private final Map<Long, Runnable> cancellable = new ConcurrentHashMap<>();

    private volatile List<X509Certificate> peerCertificates = List.of();
    private Object handlerState;
    private Throwable closeCause;

    ServerConnection(Channel channel) {
        this.channel = channel;
        this.writes = new WriteQueue(channel);
    }

    public ByteBufAllocator alloc() {
        return channel.alloc();
    }

    /** Sends a complete frame; ownership of {@code frame} passes to the transport. */
    public void send(ByteBuf frame) {
        writes.enqueue(frame);
    }

    /**
     * Counts a call received on this connection and returns how many are now in flight on it,
     * this one included; every call counted must be ended with {@link #callEnded()}, refused ones too.
     */
    public int callStarted() {
        return calls.incrementAndGet();
    }

    public void callEnded() {
        calls.decrementAndGet();
    }

    /**
     * Runs {@code onCancel} if the client cancels request {@code id} (a {@code CANCEL} frame) or the
     * connection closes before {@link #untrack} is called for it.
     */
    public void track(long id, Runnable onCancel) {
        cancellable.put(id, onCancel);
    }

    public void untrack(long id, Runnable onCancel) {
        cancellable.remove(id, onCancel);
    }

    /** The client cancelled request {@code id}. Event loop. */
    void cancel(long id) {
        Runnable r = cancellable.remove(id);
        if (r != null) {
            r.run();
        }
    }

    /** The connection closed: every call still on it is cancelled. Event loop. */
    void cancelAll() {
        for (Long id : cancellable.keySet()) {
            cancel(id);
        }
    }

    /**
     * The certificates the client presented in the TLS handshake, its own first; empty without TLS or
     * without a client certificate. Set before the first request is read.
     */
    public List<X509Certificate> peerCertificates() {
        return peerCertificates;
    }

    void peerCertificates(List<X509Certificate> chain) {
        peerCertificates = chain;
    }

    /** Calls received on this connection and not yet answered. */
    public int callsInFlight() {
        return calls.get();
    }

    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    public boolean isActive() {
        return channel.isActive();
    }

    public String remoteAddress() {
        return String.valueOf(channel.remoteAddress());
    }

    /** The client's address, or null if the channel has none (an embedded channel in tests). */
    public InetSocketAddress remoteSocketAddress() {
        return channel.remoteAddress() instanceof InetSocketAddress a ? a : null;
    }

    /**
     * State the request handler keeps for this connection (e.g. names it has already resolved), opaque
     * to the transport. Read and written only on the connection's event loop, where requests arrive.
     */
    public Object handlerState() {
        return handlerState;
    }

    public void handlerState(Object state) {
        handlerState = state;
    }

    Channel channel() {
        return channel;
    }

    /** Records why the connection is closing; true for the first cause only. Event loop only. */
    boolean closing(Throwable cause) {
        if (closeCause != null) {
            return false;
        }
        closeCause = cause;
        return true;
    }

    /** The first error that closed the connection, or null. Event loop only. */
    Throwable closeCause() {
        return closeCause;
    }
}
