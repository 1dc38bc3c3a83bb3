package io.microrpc.kernel.internal.transport;

import io.microrpc.kernel.config.KernelSettings;
import io.netty.channel.EventLoopGroup;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The connecting side of the transport: one shared, self-healing {@link ClientConnection} per server
 * address, for every reference of the kernel. Thread-safe.
 */
public final class ClientTransport implements AutoCloseable {

    private final KernelSettings settings;
    private final EventLoopGroup group;
    private final ConcurrentHashMap<String, ClientConnection> connections = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public ClientTransport(KernelSettings settings) {
        this.settings = settings;
        this.group = Transports.newGroup(settings.clientIoThreads(), "microrpc-client-io");
    }

    /** The connection to {@code host:port}, created and connecting on first use. */
    public ClientConnection connection(String host, int port) {
        if (closed) {
            throw new IllegalStateException("client transport is closed");
        }
        return connections.computeIfAbsent(host + ':' + port, a -> {
            ClientConnection c = new ClientConnection(host, port, settings, group);
            c.connect();
            return c;
        });
    }

    public Collection<ClientConnection> connections() {
        return connections.values();
    }

    /** Schedules {@code task} on an IO thread after {@code delayNanos}. */
    public void schedule(Runnable task, long delayNanos) {
        group.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        closed = true;
        connections.values().forEach(ClientConnection::close);
        connections.clear();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
