package io.microrpc.kernel.internal.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;

/** One accepted connection, as the request dispatcher sees it. Thread-safe. */
public final class ServerConnection {

    private final Channel channel;
    private final WriteQueue writes;
    private Object handlerState;

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

    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    public boolean isActive() {
        return channel.isActive();
    }

    public String remoteAddress() {
        return String.valueOf(channel.remoteAddress());
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
}
