package io.microrpc.kernel.internal.transport;

import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.internal.tls.TransportSecurity;
import io.netty.channel.EventLoopGroup;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connecting side of the transport: one shared, self-healing {@link ClientConnection} per server
 * address, for every reference of the kernel. Thread-safe.
 */
public final class ClientTransport implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClientTransport.class);

    /** How long {@link #close()} waits for the connections to close, and then for the IO threads to stop. */
    private static final long CLOSE_WAIT_SECONDS = 2;

    private final KernelSettings settings;
    private final EventLoopGroup group;
    private final TransportSecurity security;
    private final ConcurrentHashMap<String, ClientConnection> connections = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** A client transport; with {@code security} (may be null: plaintext) every connection speaks TLS. */
    public ClientTransport(KernelSettings settings, TransportSecurity security) {
        this.settings = settings;
        this.security = security;
        this.group = Transports.newGroup(settings.clientIoThreads(), "microrpc-client-io");
    }

    /** The connection to {@code host:port}, created and connecting on first use. */
    public ClientConnection connection(String host, int port) {
        if (closed) {
            throw new IllegalStateException("client transport is closed");
        }
        return connections.computeIfAbsent(host + ':' + port, a -> {
            ClientConnection c = new ClientConnection(host, port, settings, group, security);
            c.connect();
            return c;
        });
    }

    /** True when connections speak TLS ({@code tls.enabled}). */
    public boolean secure() {
        return security != null;
    }

    public Collection<ClientConnection> connections() {
        return connections.values();
    }

    /** Schedules {@code task} on an IO thread after {@code delayNanos}. */
    public void schedule(Runnable task, long delayNanos) {
        group.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Closes every connection (their pending calls fail with UNAVAILABLE) and stops the IO threads.
     * Bounded: the connections close on their event loops all at once, and this waits at most
     * {@value #CLOSE_WAIT_SECONDS} s for them, then as long again for the threads to stop. A thread
     * still busy after that (a callback of a call that blocks it) is left behind, with a warning.
     */
    @Override
    public void close() {
        closed = true;
        CompletableFuture<?>[] closing =
                connections.values().stream().map(ClientConnection::close).toArray(CompletableFuture<?>[]::new);
        connections.clear();
        try {
            CompletableFuture.allOf(closing).get(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            log.warn(
                    "Client connections did not close within {} s; stopping the IO threads anyway", CLOSE_WAIT_SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!group.shutdownGracefully(0, CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)
                .awaitUninterruptibly(2 * CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
            log.warn(
                    "Client IO threads (microrpc-client-io) did not stop within {} s; leaving them behind: a callback "
                            + "of a call may be blocking one",
                    2 * CLOSE_WAIT_SECONDS);
        }
    }
}
