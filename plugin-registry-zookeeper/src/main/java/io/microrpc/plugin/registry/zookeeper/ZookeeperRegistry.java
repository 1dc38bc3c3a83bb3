package io.microrpc.plugin.registry.zookeeper;

import io.microrpc.spi.PluginContext;
import io.microrpc.spi.Registry;
import io.microrpc.spi.ServiceInstance;
import io.microrpc.spi.Ticker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Service discovery through ZooKeeper, with Curator: providers are ephemeral nodes
 * {@code /microrpc/<service>/providers/<host:port>} holding {@code key=value} lines ({@link NodeData});
 * consumers watch them ({@link ProviderWatch}) and keep a snapshot on disk ({@link SnapshotStore}).
 * docs/REGISTRY.md describes the layout, the configuration and the behaviour during outages.
 *
 * <ul>
 *   <li>Registrations are restored whenever the connection comes back; after a session expiry they are
 *       written again, taking over nodes an old session still holds ({@link Registrations}).</li>
 *   <li>Subscriptions keep their providers while ZooKeeper is unreachable, use the snapshot when it is
 *       unreachable from the start, and do not push empty lists that would wipe a consumer.</li>
 *   <li>Without {@code registry.zookeeper.address}, a provider runs an embedded server on
 *       127.0.0.1:2181, or joins the one another process on the machine runs, and takes it over from
 *       the shared data directory if that process goes away ({@link EmbeddedZookeeper}); consumers
 *       only ever join it ({@link EmbeddedHostProvider}).</li>
 * </ul>
 *
 * <p>ZooKeeper and Curator run threads of their own (the client's IO and event threads, the embedded
 * server's); they are the cost of using them, and {@link #stop} ends all of them. The plugin's own
 * work runs on the kernel's blocking executor. Thread-safe.
 */
@Extension
public final class ZookeeperRegistry implements Registry {

    private static final Logger log = LoggerFactory.getLogger(ZookeeperRegistry.class);
    private static final long NO_OUTAGE = Long.MIN_VALUE;

    private final Set<ProviderWatch> watches = ConcurrentHashMap.newKeySet();
    private final ConnectionStateListener stateListener = (client, state) -> stateChanged(state);
    /** Guards starting, connecting and stopping. */
    private final Object lifecycle = new Object();

    private boolean started;
    private volatile ZookeeperSettings settings;
    private volatile Executor executor;
    private volatile Ticker ticker;
    private volatile CuratorFramework client;
    private volatile EmbeddedZookeeper embedded;
    private volatile Registrations registrations;
    private volatile SnapshotStore snapshots;
    private volatile Layout layout;
    /**
     * Set by the first registration: only a provider runs the embedded server. A consumer would host
     * it from a data directory of its own, and often exits soon (a tool, a test, an application), so
     * the providers' registrations would keep moving to servers with other data; and with no provider
     * alive there is nothing to discover anyway.
     */
    private volatile boolean provider;
    /** The ticker's time when the connection was lost or the first attempt gave up; NO_OUTAGE while connected. */
    private volatile long outageSince = NO_OUTAGE;
    /** The session of the last connection, to tell a reconnection from a new session. */
    private volatile long lastSession;
    /** Set once a failure to take the embedded server over is logged with its stack trace, until connected. */
    private volatile boolean takeoverFailureLogged;

    @Override
    public String name() {
        return "zookeeper";
    }

    /**
     * Reads and checks the configuration; does not connect. The connection (and, without an address,
     * the embedded server) starts with the first registration or subscription, so a kernel that only
     * lists its plugins ({@code microrpc plugins}) or uses direct addresses never touches ZooKeeper.
     */
    @Override
    public void start(PluginContext context) throws Exception {
        ZookeeperSettings s = ZookeeperSettings.parse(context.config(), context.dataDirectory());
        Files.createDirectories(s.snapshotDir());
        synchronized (lifecycle) {
            settings = s;
            executor = context.blockingExecutor();
            ticker = context.ticker();
            layout = new Layout(s.root());
            snapshots = new SnapshotStore(s.snapshotDir(), context.clock());
            started = true;
        }
        log.info(
                "ZooKeeper registry ready; it connects to {} on the first registration or subscription",
                s.describeAddress());
    }

    /** The registrations of the connected client: connects first if this is the first use. */
    private Registrations connected() throws Exception {
        synchronized (lifecycle) {
            if (!started) {
                throw new IllegalStateException("the zookeeper registry is not started");
            }
            if (registrations == null) {
                connect();
            }
            return registrations;
        }
    }

    private void connect() throws Exception {
        ZookeeperSettings s = settings;
        try {
            String connect = s.connectString();
            boolean portTaken = false;
            Access access = access(s);
            if (s.embedded()) {
                embedded = new EmbeddedZookeeper(
                        s.embeddedPort(), s.embeddedDataDir(), s.sessionTimeout(), access.acl(), s.root());
                if (provider && !embedded.tryStart()) {
                    portTaken = true;
                    log.info(
                            "127.0.0.1:{} is taken, presumably by another microrpc process's embedded ZooKeeper; "
                                    + "connecting to it as a client",
                            s.embeddedPort());
                }
                connect = embedded.connectString();
            }
            long started = ticker.nanoTime();
            client = newClient(connect, s, access, executor, embedded, this::hostIfNobodyServes);
            registrations = new Registrations(
                    client, layout, s.embedded() ? ProcessRecord.current() : null, access.description());
            client.getConnectionStateListenable().addListener(stateListener);
            client.start();
            if (client.blockUntilConnected((int) s.connectionTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                log.info("Connected to ZooKeeper at {} (root {})", s.describeAddress(), s.root());
            } else {
                outageSince = started;
                String why = !s.embedded()
                        ? "registry.zookeeper.address sets the ensemble"
                        : portTaken && !embedded.running()
                                ? "the port is taken but no ZooKeeper server answers there: "
                                        + "another program on it? registry.zookeeper.embedded-port chooses another"
                                : "a provider process runs the embedded server: none runs yet, or it is starting";
                log.warn(
                        "ZooKeeper at {} is unreachable after {} ms; carrying on: registrations wait for the connection, "
                                + "subscriptions use their snapshots ({})",
                        s.describeAddress(),
                        s.connectionTimeout().toMillis(),
                        why);
            }
        } catch (Exception | Error e) {
            disconnect();
            throw e;
        }
    }

    /**
     * The credentials this process writes with and the ACL its nodes get, if any: with the embedded
     * server always (those of {@code registry.zookeeper.auth}, else the installation's generated ones),
     * with an ensemble only with {@code registry.zookeeper.auth}.
     */
    private record Access(String auth, RegistryAcl acl, String description) {}

    private static Access access(ZookeeperSettings s) throws IOException {
        if (s.auth().isPresent()) {
            String auth = s.auth().get();
            RegistryAcl acl = s.embedded() ? RegistryAcl.embedded(auth) : RegistryAcl.ensemble(auth);
            return new Access(auth, acl, "registry.zookeeper.auth (" + acl.identity() + ")");
        }
        if (!s.embedded()) {
            return new Access(null, null, "no credentials: registry.zookeeper.auth is not set");
        }
        EmbeddedCredentials c = EmbeddedCredentials.loadOrCreate(s.credentialsFile());
        RegistryAcl acl = RegistryAcl.embedded(c.auth());
        return new Access(c.auth(), acl, "the credentials in " + c.file() + " (" + acl.identity() + ")");
    }

    private static CuratorFramework newClient(
            String connect,
            ZookeeperSettings s,
            Access access,
            Executor executor,
            EmbeddedZookeeper embedded,
            Runnable whileEmbeddedUnavailable) {
        int base = (int) s.retryBase().toMillis();
        CuratorFrameworkFactory.Builder b = CuratorFrameworkFactory.builder()
                .connectString(connect)
                .sessionTimeoutMs((int) s.sessionTimeout().toMillis())
                .connectionTimeoutMs((int) s.connectionTimeout().toMillis())
                .retryPolicy(new ExponentialBackoffRetry(base, s.retryMax(), Math.max(base, 10_000)))
                // close() waits this long for ZooKeeper's own threads to end, so none outlives stop().
                .waitForShutdownTimeoutMs(2_000)
                // Curator's own executor for this is a thread that close() does not end.
                .runSafeService(executor);
        if (embedded != null) {
            // One standalone server: nothing to track, and the client waits quietly while it is down.
            b.ensembleTracker(false)
                    .zookeeperFactory(EmbeddedHostProvider.factory(embedded.port(), whileEmbeddedUnavailable));
        }
        if (!s.chroot().isEmpty()) {
            // A namespace rather than a chroot in the connect string: Curator creates it if missing.
            b.namespace(s.chroot().substring(1));
        }
        if (access.auth() != null) {
            // Curator adds the credentials to every ZooKeeper handle it makes, and so to every session.
            b.authorization("digest", access.auth().getBytes(StandardCharsets.UTF_8))
                    .aclProvider(access.acl());
        }
        return b.build();
    }

    /**
     * Called on Curator's connection-state thread: logs an outage once (a warning when it starts, a
     * line when it ends) and hands the work to the blocking executor.
     */
    private void stateChanged(ConnectionState state) {
        switch (state) {
            case CONNECTED, RECONNECTED -> {
                Registrations r = registrations;
                if (r != null) {
                    run(() -> restored(r));
                }
                watches.forEach(ProviderWatch::connectionRestored);
            }
            case SUSPENDED -> {
                if (outageSince == NO_OUTAGE) {
                    outageSince = ticker.nanoTime();
                    EmbeddedZookeeper e = embedded;
                    log.warn(
                            "Lost the connection to ZooKeeper at {}; reconnecting. Consumers keep the providers they know{}",
                            settings.describeAddress(),
                            e == null
                                    ? ""
                                    : provider
                                            ? "; this process starts the embedded server if its host went away"
                                            : "; a provider process starts the embedded server again if its host went away");
                }
                watches.forEach(ProviderWatch::connectionLost);
            }
            case LOST -> {
                log.info(
                        "The ZooKeeper session 0x{} ended (no connection within the session timeout, {} ms); its nodes "
                                + "are gone, and registrations are written again in a new session",
                        Long.toHexString(lastSession),
                        settings.sessionTimeout().toMillis());
                watches.forEach(ProviderWatch::connectionLost);
            }
            default -> {}
        }
    }

    /** After a connection: writes what the registrations miss, then says how the outage (if any) ended. */
    private void restored(Registrations r) {
        if (registrations != r) {
            return;
        }
        int written = r.restore();
        long since = outageSince;
        long session = sessionId();
        long previous = lastSession;
        lastSession = session;
        outageSince = NO_OUTAGE;
        takeoverFailureLogged = false;
        if (since == NO_OUTAGE) {
            return;
        }
        EmbeddedZookeeper e = embedded;
        String registered = r.size() == 0
                ? ""
                : written == 0 ? "; registrations intact" : "; " + written + " registrations written again";
        log.info(
                "Connected to ZooKeeper at {}{} after {} ms ({} 0x{}{}{})",
                settings.describeAddress(),
                previous == 0 ? "" : " again",
                TimeUnit.NANOSECONDS.toMillis(ticker.nanoTime() - since),
                previous == 0 ? "session" : previous == session ? "same session" : "new session",
                Long.toHexString(session),
                registered,
                e != null && e.running() ? "; this process runs the embedded server now" : "");
    }

    private long sessionId() {
        try {
            CuratorFramework c = client;
            return c == null ? 0 : c.getZookeeperClient().getZooKeeper().getSessionId();
        } catch (Exception e) {
            return 0;
        }
    }

    /**
     * Called on the ZooKeeper client's thread while no embedded server answers: a provider starts it
     * (from the shared data directory) unless another process was quicker.
     */
    private void hostIfNobodyServes() {
        EmbeddedZookeeper e = embedded;
        if (e == null || !provider || e.running()) {
            return;
        }
        try {
            if (e.tryStart()) {
                log.info("No embedded ZooKeeper server answered on {}; this process runs it now", e.connectString());
            }
        } catch (IOException | RuntimeException ex) {
            if (!takeoverFailureLogged) {
                takeoverFailureLogged = true;
                log.warn(
                        "Could not start the embedded ZooKeeper server on {} (retrying while it is down)",
                        e.connectString(),
                        ex);
            } else {
                log.debug("Could not start the embedded ZooKeeper server on {}", e.connectString(), ex);
            }
        }
    }

    private void run(Runnable task) {
        try {
            executor.execute(task);
        } catch (RuntimeException e) {
            log.warn("Could not schedule registry work (is the kernel shutting down?)", e);
        }
    }

    @Override
    public void register(ServiceInstance instance) throws Exception {
        Objects.requireNonNull(instance, "instance");
        provider = true;
        connected().register(instance);
    }

    @Override
    public void unregister(ServiceInstance instance) throws Exception {
        Objects.requireNonNull(instance, "instance");
        Registrations r = registrations;
        if (r != null) {
            // Never connected: nothing was registered, so there is nothing to delete.
            r.unregister(instance);
        }
    }

    /**
     * Forgets the registrations without deleting them: the successor has taken their nodes over, and
     * this session must not take them back after a reconnection. They go with the session at
     * {@link #stop}.
     */
    @Override
    public void retire() {
        Registrations r = registrations;
        if (r != null) {
            r.forgetAll();
        }
    }

    @Override
    public Subscription subscribe(String service, Listener listener) {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(listener, "listener");
        CuratorFramework c;
        try {
            connected();
            c = client;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("could not connect to ZooKeeper at " + settings.describeAddress(), e);
        }
        ProviderWatch watch = new ProviderWatch(
                service,
                listener,
                c,
                layout,
                snapshots,
                settings.emptyProtection(),
                () -> c.getZookeeperClient().isConnected(),
                settings.describeAddress(),
                executor);
        watches.add(watch);
        watch.start();
        return () -> {
            watches.remove(watch);
            watch.close();
        };
    }

    /** The Curator client, connecting first if needed: for diagnostics and tests (e.g. expiring its session). */
    CuratorFramework client() throws Exception {
        connected();
        return client;
    }

    /**
     * Closes the subscriptions, then the session (which removes this process's provider nodes at once),
     * then the embedded server if this process runs it.
     */
    @Override
    public void stop() {
        synchronized (lifecycle) {
            started = false;
            watches.forEach(ProviderWatch::close);
            watches.clear();
            disconnect();
        }
    }

    private void disconnect() {
        CuratorFramework c = client;
        client = null;
        registrations = null;
        if (c != null) {
            c.getConnectionStateListenable().removeListener(stateListener);
            try {
                c.close();
            } catch (RuntimeException e) {
                log.warn("Closing the ZooKeeper client failed", e);
            }
        }
        EmbeddedZookeeper e = embedded;
        embedded = null;
        if (e != null) {
            e.stop();
        }
    }
}
