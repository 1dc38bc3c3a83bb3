package io.microrpc.plugin.cluster.failover;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A provider that crashes on every call: it accepts connections, and closes each one as soon as a
 * request arrives, so the calls on it fail with UNAVAILABLE and the client reconnects. Real sockets on
 * loopback.
 */
final class DroppingServer implements AutoCloseable {

    private final ServerSocket socket;
    private final Thread acceptor;
    private final AtomicInteger dropped = new AtomicInteger();

    DroppingServer() throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptLoop, "dropping-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    /** Connections closed because a request arrived on them. */
    int dropped() {
        return dropped.get();
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try (Socket s = socket.accept();
                    InputStream in = s.getInputStream()) {
                if (in.read() >= 0) {
                    dropped.incrementAndGet();
                }
            } catch (IOException e) {
                // closed by close(), or the client went away first: either way, next connection
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
