package io.microrpc.plugin.registry.zookeeper;

import io.microrpc.spi.Registry;
import io.microrpc.spi.ServiceInstance;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.utils.ZKPaths;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer subscription: a {@link CuratorCache} of a service's providers node, turned into full
 * provider lists for the kernel's listener.
 *
 * <p>Every change re-reads the whole cached list (coalesced: a burst of events makes one push), skips
 * nodes whose name or data is malformed (logged once per node version, naming the node) and pushes the
 * list if it differs from the last one pushed, then writes it to the {@link SnapshotStore}. With
 * empty-push protection on, an empty list is not pushed while the consumer knows providers: neither
 * one that arrives while the connection is down (the cache keeps its data then, but a reconnection can
 * briefly show a service before its providers re-registered) nor one that would drop every provider at
 * once. Until the cache has loaded (ZooKeeper unreachable at subscribe time or since), the snapshot is
 * pushed instead, and the log says so.
 *
 * <p>Notifications run one at a time on a {@link SerialExecutor} over the kernel's blocking executor,
 * never on a ZooKeeper thread. {@link #close} does not wait for a notification in progress (the
 * kernel may call it while holding the lock that notification needs); one that runs after it pushes
 * nothing.
 */
final class ProviderWatch implements Registry.Subscription {

    private static final Logger log = LoggerFactory.getLogger(ProviderWatch.class);

    private final String service;
    private final String path;
    private final Registry.Listener listener;
    private final SnapshotStore snapshots;
    private final boolean emptyProtection;
    private final BooleanSupplier connected;
    private final String where;
    private final CuratorCache cache;
    private final Executor serial;
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    private final Map<String, Long> reportedMalformed = new HashMap<>();
    private volatile boolean loaded;
    private volatile boolean closed;
    /** The list last pushed; null before the first push. Touched only by the serial executor. */
    private List<ServiceInstance> pushed;

    ProviderWatch(
            String service,
            Registry.Listener listener,
            CuratorFramework client,
            Layout layout,
            SnapshotStore snapshots,
            boolean emptyProtection,
            BooleanSupplier connected,
            String where,
            Executor blockingExecutor) {
        this.service = service;
        this.path = layout.providersPath(service);
        this.listener = listener;
        this.snapshots = snapshots;
        this.emptyProtection = emptyProtection;
        this.connected = connected;
        this.where = where;
        this.serial = new SerialExecutor(blockingExecutor);
        this.cache = CuratorCache.build(client, path);
        cache.listenable()
                .addListener(CuratorCacheListener.builder()
                        .forAll((type, before, after) -> {
                            if (loaded) {
                                scheduleRefresh();
                            }
                        })
                        .forInitialized(() -> {
                            loaded = true;
                            scheduleRefresh();
                        })
                        .build());
    }

    /** Starts watching; if ZooKeeper is unreachable now, pushes the snapshot meanwhile. */
    void start() {
        cache.start();
        if (!connected.getAsBoolean()) {
            connectionLost();
        }
    }

    /** The connection is down: a subscription that has not loaded yet falls back to its snapshot. */
    void connectionLost() {
        serial.execute(this::useSnapshot);
    }

    /** The connection is back: re-evaluate, in case an update was held back meanwhile. */
    void connectionRestored() {
        if (loaded) {
            scheduleRefresh();
        }
    }

    private void scheduleRefresh() {
        if (refreshQueued.compareAndSet(false, true)) {
            serial.execute(() -> {
                refreshQueued.set(false);
                refresh();
            });
        }
    }

    private void refresh() {
        if (closed) {
            return;
        }
        List<ServiceInstance> providers = new ArrayList<>();
        Map<String, Long> seen = new HashMap<>();
        cache.stream()
                .filter(d -> !d.getPath().equals(path)
                        && ZKPaths.getPathAndNode(d.getPath()).getPath().equals(path))
                .forEach(d -> decode(d, providers, seen));
        reportedMalformed.keySet().retainAll(seen.keySet());
        providers.sort(Comparator.comparing(ServiceInstance::address));
        List<ServiceInstance> next = List.copyOf(providers);
        if (next.equals(pushed)) {
            return;
        }
        if (next.isEmpty() && emptyProtection && pushed != null && !pushed.isEmpty()) {
            if (connected.getAsBoolean()) {
                log.warn(
                        "Empty-push protection: ZooKeeper reports no providers of {} at {}; keeping the {} known "
                                + "ones until one registers (registry.zookeeper.empty-protection=false turns this off)",
                        service,
                        path,
                        pushed.size());
            } else {
                log.warn(
                        "Empty-push protection: ignoring an empty provider list for {} while the connection to {} "
                                + "is down; keeping the {} known providers",
                        service,
                        where,
                        pushed.size());
            }
            return;
        }
        push(next);
        snapshots.write(service, next);
    }

    private void decode(ChildData d, List<ServiceInstance> out, Map<String, Long> seen) {
        String node = ZKPaths.getNodeFromPath(d.getPath());
        long version = d.getStat() == null ? 0 : d.getStat().getMzxid();
        try {
            out.add(NodeData.decode(service, node, d.getData()));
        } catch (IllegalArgumentException e) {
            seen.put(d.getPath(), version);
            Long reported = reportedMalformed.put(d.getPath(), version);
            if (reported == null || reported != version) {
                log.warn("Skipping provider node {} of {}: {}", d.getPath(), service, e.getMessage());
            }
        }
    }

    private void useSnapshot() {
        if (closed || loaded || pushed != null) {
            return;
        }
        snapshots
                .read(service)
                .ifPresentOrElse(
                        s -> {
                            log.warn(
                                    "ZooKeeper at {} is unreachable; using the snapshot of {} providers of {} written {} ({}) until it is back",
                                    where,
                                    s.providers().size(),
                                    service,
                                    s.written(),
                                    s.file());
                            push(s.providers());
                        },
                        () -> log.warn(
                                "ZooKeeper at {} is unreachable and there is no snapshot of {} ({}); no providers until it is back",
                                where,
                                service,
                                snapshots.file(service)));
    }

    private void push(List<ServiceInstance> providers) {
        if (closed) {
            return;
        }
        pushed = providers;
        try {
            listener.onProviders(providers);
        } catch (RuntimeException e) {
            log.warn("The listener of {} failed on {} providers", service, providers.size(), e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        cache.close();
    }
}
