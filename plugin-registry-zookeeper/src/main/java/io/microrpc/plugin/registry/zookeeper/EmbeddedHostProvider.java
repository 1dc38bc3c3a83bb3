package io.microrpc.plugin.registry.zookeeper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.curator.utils.ZookeeperFactory;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.HostProvider;
import org.apache.zookeeper.client.ZKClientConfig;

/**
 * The ZooKeeper client's only server, 127.0.0.1:{@code port}, handed out only once a ZooKeeper server
 * serves there; meanwhile {@link #next} waits, calling {@code whileUnavailable} (which may start the
 * server in this process) between probes.
 *
 * <p>Why: ZooKeeper's client logs a warning with a stack trace for every refused connection attempt,
 * about one a second, for as long as the embedded server is down (20 of them after a host was
 * killed, before this). Probing first keeps that expected case quiet; anything that goes wrong once a
 * server answers is logged by the client as before.
 *
 * <p>The probe is ZooKeeper's {@code srvr} command (always enabled), so a server still loading its data
 * (its port is bound first) or something else on the port does not count. Called by the client's send
 * thread only; {@code whileUnavailable} runs on it.
 */
final class EmbeddedHostProvider implements HostProvider {

    private static final int PROBE_TIMEOUT_MILLIS = 500;
    private static final long PAUSE_MILLIS = 200;

    private final InetSocketAddress address;
    private final BooleanSupplier open;
    private final Runnable whileUnavailable;

    /**
     * @param open false once the client is closed: {@link #next} then stops waiting, so closing never
     *     waits for a server that does not come
     */
    EmbeddedHostProvider(int port, BooleanSupplier open, Runnable whileUnavailable) {
        this.address = new InetSocketAddress("127.0.0.1", port);
        this.open = open;
        this.whileUnavailable = whileUnavailable;
    }

    /**
     * Curator's factory for the embedded server's clients: each ZooKeeper handle gets a provider of its
     * own that stops waiting as soon as the handle is closing.
     */
    static ZookeeperFactory factory(int port, Runnable whileUnavailable) {
        return new ZookeeperFactory() {
            @Override
            public ZooKeeper newZooKeeper(String connect, int sessionTimeout, Watcher watcher, boolean canBeReadOnly)
                    throws Exception {
                return newZooKeeper(connect, sessionTimeout, watcher, canBeReadOnly, new ZKClientConfig());
            }

            @Override
            public ZooKeeper newZooKeeper(
                    String connect, int sessionTimeout, Watcher watcher, boolean canBeReadOnly, ZKClientConfig config)
                    throws Exception {
                AtomicReference<Handle> handle = new AtomicReference<>();
                EmbeddedHostProvider hosts = new EmbeddedHostProvider(
                        port,
                        () -> {
                            Handle h = handle.get();
                            return h == null || h.open();
                        },
                        whileUnavailable);
                Handle h = new Handle(connect, sessionTimeout, watcher, canBeReadOnly, hosts, config);
                handle.set(h);
                return h;
            }
        };
    }

    /**
     * A ZooKeeper handle that says when it starts closing: its close() waits for the send thread, which
     * may be waiting in {@link #next}, and its state stays "connecting" until that thread is done.
     */
    private static final class Handle extends ZooKeeper {
        private volatile boolean closing;

        Handle(
                String connect,
                int sessionTimeout,
                Watcher watcher,
                boolean canBeReadOnly,
                HostProvider hosts,
                ZKClientConfig config)
                throws IOException {
            super(connect, sessionTimeout, watcher, canBeReadOnly, hosts, config);
        }

        boolean open() {
            return !closing && getState().isAlive();
        }

        @Override
        public synchronized void close() throws InterruptedException {
            closing = true;
            super.close();
        }
    }

    @Override
    public int size() {
        return 1;
    }

    @Override
    public InetSocketAddress next(long spinDelay) {
        while (open.getAsBoolean() && !serving(address)) {
            whileUnavailable.run();
            if (serving(address)) {
                break;
            }
            try {
                Thread.sleep(PAUSE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return address;
    }

    @Override
    public void onConnected() {}

    @Override
    public boolean updateServerList(Collection<InetSocketAddress> serverAddresses, InetSocketAddress currentHost) {
        return false;
    }

    /** Whether a ZooKeeper server that is serving requests answers on {@code address}. */
    static boolean serving(InetSocketAddress address) {
        try (Socket s = new Socket()) {
            s.connect(address, PROBE_TIMEOUT_MILLIS);
            s.setSoTimeout(PROBE_TIMEOUT_MILLIS);
            OutputStream out = s.getOutputStream();
            out.write("srvr".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] expected = "Zookeeper version:".getBytes(StandardCharsets.US_ASCII);
            byte[] got = in.readNBytes(expected.length);
            return Arrays.equals(got, expected);
        } catch (IOException e) {
            return false;
        }
    }
}
