package io.microrpc.plugin.registry.zookeeper;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.server.DataNode;
import org.apache.zookeeper.server.DataTree;
import org.apache.zookeeper.server.NIOServerCnxnFactory;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZKDatabase;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A standalone ZooKeeper server on 127.0.0.1, for the zero-setup default: the first provider process
 * on a machine runs it, the others find the port taken and connect to it as clients. Its data (and so
 * its sessions and nodes) lives in a directory that the processes of an installation share, so the
 * provider that takes it over after its host went away continues from the same state.
 *
 * <p>The port is bound before the data directory is opened, so a process that finds the port taken
 * never touches the files another server is using; a lock file in the directory keeps out a server on
 * another port configured with the same directory. Before it accepts a client, the server gives
 * {@code /} and the plugin's nodes the installation's ACL ({@link RegistryAcl}), whatever the data
 * says. Thread-safe.
 */
final class EmbeddedZookeeper {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedZookeeper.class);
    private static final int TICK_MILLIS = 500;
    private static final int MAX_CLIENT_CONNECTIONS = 1000;
    /** How long a start waits for the sessions of gone processes to be closed before accepting clients. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

    private static final int ZXID_SHIFT = 20;

    private final int port;
    private final Path dataDir;
    private final Duration maxSessionTimeout;
    private final RegistryAcl acl;
    /** The trees whose nodes this plugin writes ({@code registry.zookeeper.root}, the process records). */
    private final List<String> owned;

    private ServerCnxnFactory factory;
    private ZooKeeperServer server;
    private FileChannel lock;
    /** Set by {@link #stop}: a late {@link #tryStart} from a client thread must not start it again. */
    private boolean stopped;

    /**
     * @param acl what the root node and every node under {@code root} and {@link ProcessRecord#TREE} get
     *     when this instance starts the server, whatever the data says
     */
    EmbeddedZookeeper(int port, Path dataDir, Duration sessionTimeout, RegistryAcl acl, String root) {
        this.port = port;
        this.dataDir = dataDir;
        this.maxSessionTimeout = sessionTimeout;
        this.acl = acl;
        this.owned = List.of(root, ProcessRecord.TREE);
    }

    String connectString() {
        return "127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    /**
     * Starts the server unless this instance runs it already. Before it accepts connections, it closes
     * the sessions it restored from the data directory whose process is gone ({@link ProcessRecord}),
     * so their provider nodes do not come back.
     *
     * @return false if the port is taken (by another process's embedded server, presumably)
     * @throws IOException if the port was free but the server could not start
     */
    synchronized boolean tryStart() throws IOException {
        if (server != null) {
            return true;
        }
        if (stopped) {
            return false;
        }
        NIOServerCnxnFactory f = new NIOServerCnxnFactory() {
            @Override
            protected void initMaxCnxns() {
                // The default reads a system property and warns at every start that it is not set.
                maxCnxns = MAX_CLIENT_CONNECTIONS;
            }
        };
        try {
            f.configure(new InetSocketAddress("127.0.0.1", port), MAX_CLIENT_CONNECTIONS);
        } catch (BindException e) {
            log.debug("127.0.0.1:{} is taken", port, e);
            f.shutdown();
            return false;
        }
        ZooKeeperServer s = null;
        FileChannel lockFile = null;
        List<String> closed;
        int tightened;
        try {
            Files.createDirectories(dataDir);
            lockFile = lock(dataDir);
            s = new ZooKeeperServer(
                    dataDir.resolve("snapshots").toFile(),
                    dataDir.resolve("log").toFile(),
                    TICK_MILLIS);
            // Let clients have the session timeout they ask for (ZooKeeper caps it at 20 ticks otherwise).
            s.setMaxSessionTimeout((int) Math.max(20L * TICK_MILLIS, maxSessionTimeout.toMillis()));
            // What factory.startup(s) does, with the clean-up between loading the data and accepting
            // clients: the port is bound (clients wait in its backlog) but nobody sees the stale nodes.
            f.setZooKeeperServer(s);
            s.startdata();
            aheadOfEarlierServers(s);
            tightened = applyAcl(s);
            s.startup();
            closed = closeSessionsOfGoneProcesses(s);
            f.start();
        } catch (IOException | RuntimeException e) {
            abandon(f, s, lockFile);
            throw e instanceof IOException io
                    ? io
                    : new IOException("embedded ZooKeeper failed to start on 127.0.0.1:" + port, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandon(f, s, lockFile);
            throw new IOException("interrupted while starting the embedded ZooKeeper", e);
        }
        factory = f;
        server = s;
        lock = lockFile;
        log.info(
                "Started an embedded ZooKeeper server on 127.0.0.1:{} (data in {}); other microrpc processes on "
                        + "this machine use it too. Set registry.zookeeper.address to use an ensemble instead",
                port,
                dataDir);
        if (tightened > 0) {
            log.info(
                    "Set the access control of {} nodes restored from {} (written by an older version, or with other "
                            + "credentials): all permissions for {}, read for everyone",
                    tightened,
                    dataDir,
                    acl.identity());
        }
        if (!closed.isEmpty()) {
            log.info(
                    "Closed {} ZooKeeper sessions restored from {} whose process is gone, with their nodes: {}",
                    closed.size(),
                    dataDir,
                    String.join("; ", closed));
        }
        return true;
    }

    /**
     * Moves the server's transaction id past any an earlier embedded server on this machine can have
     * handed out: ZooKeeper refuses a client that has seen a later id than the server's last, until the
     * client's session times out (30 s by default), which is what a takeover by a process with another
     * data directory used to cost. The ids are time-based (milliseconds since the epoch, times 2^20:
     * one server would need over a million transactions a millisecond to catch up with a later one).
     */
    private static void aheadOfEarlierServers(ZooKeeperServer s) {
        long floor = System.currentTimeMillis() << ZXID_SHIFT;
        if (s.getZxid() < floor) {
            s.setZxid(floor);
            s.getZKDatabase().getDataTree().lastProcessedZxid = floor;
        }
    }

    /**
     * Gives {@code /} and every node of the trees this plugin owns the plugin's ACL, before any client
     * is accepted: data written by a version without access control (every node {@code world:anyone}
     * with all permissions), or with credentials since regenerated, is writable only with the current
     * credentials from the first request on, and an anonymous client cannot create, delete or replace
     * anything at the top. Done on the loaded tree rather than by a client's setACL so that it also
     * covers nodes that the current credentials could not change; a snapshot then persists it, so
     * replaying the transaction log later starts from the changed tree.
     *
     * @return how many nodes under the owned trees changed
     */
    private int applyAcl(ZooKeeperServer s) throws IOException {
        DataTree tree = s.getZKDatabase().getDataTree();
        List<ACL> wanted = acl.acl();
        // A new server's / is world:anyone too: set, but not counted as restored data.
        boolean root = setAcl(tree, "/", wanted) > 0;
        int changed = 0;
        for (String top : owned) {
            changed += setAclBelow(tree, top, wanted);
        }
        if (root || changed > 0) {
            s.takeSnapshot();
        }
        return changed;
    }

    private static int setAclBelow(DataTree tree, String path, List<ACL> wanted) {
        DataNode node = tree.getNode(path);
        if (node == null) {
            return 0;
        }
        int changed = setAcl(tree, path, wanted);
        List<String> children;
        synchronized (node) {
            children = new ArrayList<>(node.getChildren());
        }
        for (String child : children) {
            changed += setAclBelow(tree, path + "/" + child, wanted);
        }
        return changed;
    }

    private static int setAcl(DataTree tree, String path, List<ACL> wanted) {
        DataNode node = tree.getNode(path);
        if (node == null || new HashSet<>(tree.getACL(node)).equals(new HashSet<>(wanted))) {
            return 0;
        }
        try {
            Stat stat = new Stat();
            tree.getACL(path, stat);
            tree.setACL(path, wanted, stat.getAversion() + 1);
            return 1;
        } catch (KeeperException.NoNodeException e) {
            return 0;
        }
    }

    /** Locks {@code dir}, or fails naming the directory if another server uses it. */
    private FileChannel lock(Path dir) throws IOException {
        FileChannel channel =
                FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            if (channel.tryLock() != null) {
                return channel;
            }
        } catch (OverlappingFileLockException e) {
            // Held in this JVM: by a server that has not stopped yet.
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        channel.close();
        throw new IOException("the embedded ZooKeeper data directory " + dir
                + " is in use by another server (on another " + "port than 127.0.0.1:" + port
                + "?); give each registry.zookeeper.embedded-port its own embedded-data-dir");
    }

    private static void abandon(ServerCnxnFactory f, ZooKeeperServer s, FileChannel lockFile) {
        f.shutdown();
        if (s != null) {
            s.shutdown();
        }
        closeQuietly(lockFile);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                log.debug("Closing the lock file failed", e);
            }
        }
    }

    /**
     * Closes every restored session whose {@link ProcessRecord} names a process that is gone, and waits
     * (briefly) until the server has processed that. Sessions without a record (consumers, or a
     * provider that crashed before writing one) expire after their timeout as usual.
     *
     * @return one description per closed session: its process and its ephemeral nodes
     */
    private static List<String> closeSessionsOfGoneProcesses(ZooKeeperServer s) throws InterruptedException {
        ZKDatabase db = s.getZKDatabase();
        List<String> children;
        try {
            children = db.getChildren(ProcessRecord.PARENT, null, null);
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
        Map<Long, String> closing = new LinkedHashMap<>();
        for (String child : children) {
            Stat stat = new Stat();
            byte[] data;
            try {
                data = db.getData(ProcessRecord.PARENT + "/" + child, stat, null);
            } catch (KeeperException.NoNodeException e) {
                continue;
            }
            long session = stat.getEphemeralOwner();
            Optional<ProcessRecord> owner = ProcessRecord.decode(data);
            if (session != 0
                    && owner.isPresent()
                    && owner.get().isGone()
                    && db.getSessionWithTimeOuts().containsKey(session)) {
                List<String> nodes = new ArrayList<>(db.getEphemerals(session));
                nodes.remove(ProcessRecord.PARENT + "/" + child);
                Collections.sort(nodes);
                closing.put(session, "session 0x" + Long.toHexString(session) + " of " + owner.get() + " " + nodes);
                s.closeSession(session);
            }
        }
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        while (closing.keySet().stream().anyMatch(db.getSessionWithTimeOuts()::containsKey)
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return List.copyOf(closing.values());
    }

    synchronized boolean running() {
        return server != null;
    }

    /**
     * Stops the server if this instance runs it, for good: other processes connected to it take it over
     * or wait.
     */
    synchronized void stop() {
        stopped = true;
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
            closeQuietly(lock);
            factory = null;
            server = null;
            lock = null;
        }
    }
}
