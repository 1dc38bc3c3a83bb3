package io.microrpc.plugin.registry.zookeeper;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A standalone ZooKeeper server on 127.0.0.1, for the zero-setup default: the first microrpc process
 * on a machine runs it, the others find the port taken and connect to it as clients. Its data (and so
 * its sessions and nodes) lives in a directory of its own and survives restarts.
 *
 * <p>The port is bound before the data directory is opened, so a process that finds the port taken
 * never touches another server's files. Thread-safe.
 */
final class EmbeddedZookeeper {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedZookeeper.class);
    private static final int TICK_MILLIS = 500;
    private static final int MAX_CLIENT_CONNECTIONS = 1000;

    private final int port;
    private final Path dataDir;
    private final Duration maxSessionTimeout;
    private ServerCnxnFactory factory;
    private ZooKeeperServer server;

    EmbeddedZookeeper(int port, Path dataDir, Duration sessionTimeout) {
        this.port = port;
        this.dataDir = dataDir;
        this.maxSessionTimeout = sessionTimeout;
    }

    String connectString() {
        return "127.0.0.1:" + port;
    }

    /**
     * Starts the server unless this instance runs it already.
     *
     * @return false if the port is taken (by another process's embedded server, presumably)
     * @throws IOException if the port was free but the server could not start
     */
    synchronized boolean tryStart() throws IOException {
        if (server != null) {
            return true;
        }
        ServerCnxnFactory f = ServerCnxnFactory.createFactory();
        try {
            f.configure(new InetSocketAddress("127.0.0.1", port), MAX_CLIENT_CONNECTIONS);
        } catch (BindException e) {
            log.debug("127.0.0.1:{} is taken", port, e);
            f.shutdown();
            return false;
        }
        ZooKeeperServer s = null;
        try {
            Files.createDirectories(dataDir);
            s = new ZooKeeperServer(dataDir.resolve("snapshots").toFile(), dataDir.resolve("log").toFile(), TICK_MILLIS);
            // Let clients have the session timeout they ask for (ZooKeeper caps it at 20 ticks otherwise).
            s.setMaxSessionTimeout((int) Math.max(20L * TICK_MILLIS, maxSessionTimeout.toMillis()));
            f.startup(s);
        } catch (IOException | RuntimeException e) {
            f.shutdown();
            if (s != null) {
                s.shutdown();
            }
            throw e instanceof IOException io ? io : new IOException("embedded ZooKeeper failed to start on 127.0.0.1:" + port, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.shutdown();
            throw new IOException("interrupted while starting the embedded ZooKeeper", e);
        }
        factory = f;
        server = s;
        log.info("Started an embedded ZooKeeper server on 127.0.0.1:{} (data in {}); other microrpc processes on "
                + "this machine use it too. Set registry.zookeeper.address to use an ensemble instead", port, dataDir);
        return true;
    }

    synchronized boolean running() {
        return server != null;
    }

    /** Stops the server if this instance runs it. Other processes connected to it take it over or wait. */
    synchronized void stop() {
        if (factory == null) {
            return;
        }
        try {
            factory.shutdown();
            server.shutdown();
            log.info("Stopped the embedded ZooKeeper server on 127.0.0.1:{}", port);
        } catch (RuntimeException e) {
            log.warn("Stopping the embedded ZooKeeper server on 127.0.0.1:{} failed", port, e);
        } finally {
            factory = null;
            server = null;
        }
    }
}
