package io.microrpc.plugin.registry.zookeeper;

import io.microrpc.spi.ServiceInstance;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider side: the instances this process registered, each kept as an ephemeral node of the
 * current session. {@link #restore} writes them all again after the connection comes back (a new
 * session after expiry has lost them; the same session still has them, and then nothing is written).
 *
 * <p>A node of the same name that belongs to another session (this provider's expired one that the
 * server has not reaped yet, a plugin version this one replaces, a crashed run's) is taken over: deleted
 * and created again in one transaction, so that session ending later does not remove it.
 *
 * <p>Thread-safe; every method blocks on ZooKeeper and is called on kernel threads or the blocking
 * executor, never a ZooKeeper event thread.
 */
final class Registrations {

    private static final Logger log = LoggerFactory.getLogger(Registrations.class);
    private static final int ATTEMPTS = 5;

    private final CuratorFramework client;
    private final Layout layout;
    private final ProcessRecord owner;
    /** Which credentials this process writes with, for the error when ZooKeeper refuses a write. */
    private final String credentials;

    private final Map<String, ServiceInstance> byPath = new LinkedHashMap<>();
    /** The session whose {@link ProcessRecord} is written. */
    private long recordedSession;

    /**
     * @param owner with the embedded server, this process, recorded for each session before its first
     *     node, so a server started after a crash can tell the session is dead; null with an ensemble
     */
    Registrations(CuratorFramework client, Layout layout, ProcessRecord owner, String credentials) {
        this.client = client;
        this.layout = layout;
        this.owner = owner;
        this.credentials = credentials;
    }

    /**
     * Remembers {@code instance} and writes its node if ZooKeeper is reachable; if not, the node is
     * written when the connection comes back.
     */
    synchronized void register(ServiceInstance instance) throws Exception {
        String path = layout.providerPath(instance);
        byPath.put(path, instance);
        if (!client.getZookeeperClient().isConnected()) {
            log.warn(
                    "ZooKeeper is unreachable; {} will be registered at {} when the connection is back",
                    instance,
                    path);
            return;
        }
        write(path, instance);
    }

    /** Forgets {@code instance} and deletes its node. */
    synchronized void unregister(ServiceInstance instance) throws Exception {
        String path = layout.providerPath(instance);
        byPath.remove(path);
        try {
            client.delete().forPath(path);
            log.info("Unregistered {} ({})", instance, path);
        } catch (KeeperException.NoNodeException e) {
            log.debug("{} was not registered", path);
        }
    }

    /** Forgets every instance without touching its node: this registry has a successor (a hot swap). */
    synchronized void forgetAll() {
        if (!byPath.isEmpty()) {
            log.info("Retired: {} registrations are left to the registry that replaced this one", byPath.size());
            byPath.clear();
        }
    }

    /**
     * Writes every remembered node again; called after a (re)connection. Failures are logged.
     *
     * @return how many nodes were written (0: the session still had them all)
     */
    synchronized int restore() {
        int written = 0;
        for (Map.Entry<String, ServiceInstance> e : byPath.entrySet()) {
            try {
                if (write(e.getKey(), e.getValue())) {
                    written++;
                }
            } catch (Exception ex) {
                if (client.getState() != CuratorFrameworkState.STARTED) {
                    log.debug("Not restoring {}: the registry is stopping", e.getValue(), ex);
                    return written;
                }
                log.warn(
                        "Could not restore the registration of {} at {}; retrying on the next reconnection",
                        e.getValue(),
                        e.getKey(),
                        ex);
            }
        }
        return written;
    }

    synchronized int size() {
        return byPath.size();
    }

    /** Writes this process's record for the current session, once per session. */
    private void recordOwner(long session) throws Exception {
        if (owner == null || session == recordedSession) {
            return;
        }
        try {
            client.create()
                    .creatingParentsIfNeeded()
                    .withMode(CreateMode.EPHEMERAL)
                    .forPath(ProcessRecord.path(session), owner.encode());
        } catch (KeeperException.NodeExistsException e) {
            log.debug("The process record of session 0x{} exists", Long.toHexString(session));
        }
        recordedSession = session;
    }

    /** @return whether the node was created or changed */
    private boolean write(String path, ServiceInstance instance) throws Exception {
        try {
            return tryWrite(path, instance);
        } catch (KeeperException.NoAuthException e) {
            String remedy = owner != null
                    ? "With the embedded server, every process that registers must use the credentials of the one that "
                            + "runs it: the same registry.zookeeper.embedded-data-dir (the credentials file is in it), "
                            + "or the same registry.zookeeper.auth"
                    : "Set registry.zookeeper.auth to the user the nodes belong to, or have the ensemble's "
                            + "administrator grant this user access (setAcl)";
            throw new IllegalStateException(
                    "ZooKeeper refused to register " + instance + " at " + path + ": not authorized (NoAuth for "
                            + (e.getPath() == null ? path : e.getPath()) + "; this process writes with " + credentials
                            + "). " + remedy,
                    e);
        }
    }

    private boolean tryWrite(String path, ServiceInstance instance) throws Exception {
        byte[] data = NodeData.encode(instance);
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            long session = client.getZookeeperClient().getZooKeeper().getSessionId();
            recordOwner(session);
            Stat stat = new Stat();
            byte[] current;
            try {
                current = client.getData().storingStatIn(stat).forPath(path);
            } catch (KeeperException.NoNodeException e) {
                try {
                    client.create()
                            .creatingParentsIfNeeded()
                            .withMode(CreateMode.EPHEMERAL)
                            .forPath(path, data);
                    log.info("Registered {} at {}", instance, path);
                    return true;
                } catch (KeeperException.NodeExistsException raced) {
                    continue;
                }
            }
            try {
                if (stat.getEphemeralOwner() == session) {
                    if (Arrays.equals(current, data)) {
                        return false;
                    }
                    client.setData().withVersion(stat.getVersion()).forPath(path, data);
                    log.info("Updated {} at {}", instance, path);
                    return true;
                }
                client.transaction()
                        .forOperations(
                                client.transactionOp()
                                        .delete()
                                        .withVersion(stat.getVersion())
                                        .forPath(path),
                                client.transactionOp()
                                        .create()
                                        .withMode(CreateMode.EPHEMERAL)
                                        .forPath(path, data));
                log.info(
                        "Registered {} at {}, taking the node over from {}",
                        instance,
                        path,
                        stat.getEphemeralOwner() == 0
                                ? "a persistent node"
                                : "session 0x" + Long.toHexString(stat.getEphemeralOwner()));
                return true;
            } catch (KeeperException.NoNodeException
                    | KeeperException.BadVersionException
                    | KeeperException.NodeExistsException raced) {
                log.debug("{} changed while registering; attempt {} of {}", path, attempt, ATTEMPTS, raced);
            }
        }
        throw new IllegalStateException(path + " kept changing while " + instance + " was being registered (" + ATTEMPTS
                + " attempts); is another process registering the same address?");
    }
}
