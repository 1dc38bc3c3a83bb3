package io.microrpc.dist;

import io.microrpc.demo.api.EchoService;
import io.microrpc.demo.api.User;
import io.microrpc.demo.api.UserService;
import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.admin.AdminServer;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.launcher.LauncherOptions;
import io.microrpc.kernel.plugin.KernelEvent;
import io.microrpc.kernel.tls.DevCertificates;
import io.microrpc.spi.RpcException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code microrpc demo}: the zero-setup tour. Three provider kernels export the demo service plugin's
 * services on free loopback ports, the last one slower than the others by {@link #SLOW_DELAY} per
 * call; a consumer kernel references all three addresses and calls them with C concurrent callers.
 * Every second a line shows the calls, latency, how the consumer's load balancer spread the calls over
 * the providers, and the active extensions; a summary line ends the run. Every kernel loads the
 * distribution's plugins folder; the admin endpoint is the consumer's, so {@code microrpc switch
 * loadbalancer round-robin} during the run changes the spread, and {@code microrpc stop} ends the run
 * early. No registry is used, whatever the configuration says.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description =
                "Run three in-process providers (one slower) and a consumer over loopback with the bundled plugins, "
                        + "showing how calls spread over the providers.")
public final class DemoCommand implements Callable<Integer> {

    /** A registry name no plugin has: the demo runs without one. */
    private static final String NO_REGISTRY = "none";

    private static final int PROVIDERS = 3;
    /** How much longer the slow provider takes per call: visible to adaptive balancers, small to a user. */
    static final Duration SLOW_DELAY = Duration.ofMillis(2);

    @Mixin
    LauncherOptions options;

    @Option(names = "--seconds", defaultValue = "10", description = "How long to run (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(
            names = "--concurrency",
            defaultValue = "16",
            description = "Concurrent callers (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(
            names = "--tls",
            description = "Run over mutual TLS, with a throwaway CA and certificates generated for the run "
                    + "(written under the data folder's demo/, deleted at the end).")
    boolean tls;

    @Spec
    CommandSpec spec;

    /** The run's certificates, with --tls. */
    private Path certificates;

    /** One provider kernel and what its filter counted. */
    private record Provider(MicroRpc rpc, DemoProviderFilter filter) {
        String label() {
            return rpc.port() + (filter.slow() ? "(slow)" : "");
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (seconds < 1 || concurrency < 1) {
            throw new IllegalArgumentException(
                    "--seconds " + seconds + " --concurrency " + concurrency + " (expected: >= 1 each)");
        }
        if (tls) {
            certificates = newCertificates(options.settings().dataDir());
        }
        KernelSettings settings = demo(options.settings());
        List<Provider> providers = new ArrayList<>();
        AtomicLong end = new AtomicLong(Long.MAX_VALUE);
        try (Cleanup cleanup = new Cleanup(certificates);
                Kernels kernels = new Kernels()) {
            for (int i = 1; i <= PROVIDERS; i++) {
                Provider p = provider(i, i == PROVIDERS ? SLOW_DELAY : Duration.ZERO);
                kernels.add(p.rpc());
                providers.add(p);
            }
            MicroRpc consumer = kernels.add(options.kernel(c -> consumer(demo(c)))
                    .exportServicePlugins(false)
                    .start());
            // The consumer's endpoint: a switch changes its balancer; a stop ends the run early.
            AdminServer admin = settings.adminPort() >= 0
                    ? kernels.add(AdminServer.start(
                            consumer, settings.adminHost(), settings.adminPort(), () -> end.set(System.nanoTime())))
                    : null;
            String[] addresses =
                    providers.stream().map(p -> "127.0.0.1:" + p.rpc().port()).toArray(String[]::new);
            EchoService echo = consumer.reference(EchoService.class, addresses);
            UserService users = consumer.reference(UserService.class, addresses);
            out.printf(
                    "demo: %d providers on %s (slow: %s, +%d ms per call), a consumer with %d callers for %d s%n",
                    PROVIDERS,
                    String.join(", ", addresses),
                    addresses[PROVIDERS - 1],
                    SLOW_DELAY.toMillis(),
                    concurrency,
                    seconds);
            for (Map.Entry<String, List<String>> e : consumer.extensions().entrySet()) {
                if (e.getKey().equals("registry")) {
                    out.printf(
                            "demo: %-12s none: the demo uses direct addresses (loaded: %s)%n",
                            e.getKey(), e.getValue().isEmpty() ? "none" : String.join(", ", e.getValue()));
                } else if (!e.getValue().isEmpty()) {
                    out.printf("demo: %-12s %s%n", e.getKey(), String.join(", ", e.getValue()));
                }
            }
            if (admin != null) {
                out.printf(
                        "demo: the consumer's admin endpoint is 127.0.0.1:%d: while it runs, try `bin/microrpc switch "
                                + "loadbalancer round-robin%s` and watch the spread%n",
                        admin.address().getPort(),
                        admin.address().getPort() == 7421
                                ? ""
                                : " --admin 127.0.0.1:" + admin.address().getPort());
            }
            if (certificates != null) {
                out.printf(
                        "demo: %s, mutual: a CA made for this run signed the providers' certificate (localhost,"
                                + " 127.0.0.1) and the consumer's (CN=microrpc-client), in %s%n",
                        consumer.transportSecurity(), certificates);
            }
            showRemoteError(users, out);
            out.flush();
            return run(echo, users, consumer, providers, end, out);
        }
    }

    /**
     * Direct addressing on free loopback ports: nothing is registered, no ZooKeeper is started. With
     * --tls, the providers' side of mutual TLS.
     */
    private KernelSettings demo(KernelSettings configured) {
        KernelSettings.Builder b =
                configured.toBuilder().serverHost("127.0.0.1").serverPort(0).registry(NO_REGISTRY);
        if (certificates != null) {
            b.tlsEnabled(true)
                    .tlsCert(certificates.resolve(DevCertificates.SERVER_CERT))
                    .tlsKey(certificates.resolve(DevCertificates.SERVER_KEY))
                    .tlsTrust(certificates.resolve(DevCertificates.CA))
                    .tlsClientAuth("require");
        }
        return b.build();
    }

    /** The consumer presents the client certificate, with --tls. */
    private KernelSettings consumer(KernelSettings demo) {
        if (certificates == null) {
            return demo;
        }
        return demo.toBuilder()
                .tlsCert(certificates.resolve(DevCertificates.CLIENT_CERT))
                .tlsKey(certificates.resolve(DevCertificates.CLIENT_KEY))
                .build();
    }

    /** A new folder of development certificates under {@code dataDir}/demo/. */
    private static Path newCertificates(Path dataDir) throws IOException {
        Path parent = dataDir.resolve("demo");
        Files.createDirectories(parent);
        Path dir = Files.createTempDirectory(parent, "tls-");
        DevCertificates.writeDevelopmentSet(dir);
        return dir;
    }

    /** Deletes the run's certificates, if any. */
    private record Cleanup(Path dir) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            if (dir == null) {
                return;
            }
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private Provider provider(int n, Duration delay) {
        DemoProviderFilter filter = new DemoProviderFilter(delay);
        MicroRpc rpc = options.kernel(configured -> {
                    KernelSettings settings = demo(configured);
                    KernelSettings.Builder own = settings.toBuilder()
                            .dataDir(settings.dataDir().resolve("demo").resolve("provider-" + n));
                    if (!settings.filters().isEmpty()) {
                        List<String> filters = new ArrayList<>(settings.filters());
                        filters.add(DemoProviderFilter.NAME);
                        own.filters(filters);
                    }
                    return own.build();
                })
                .extension(filter)
                .start();
        if (!rpc.exportedServices().contains(EchoService.class.getName())) {
            rpc.close();
            throw new IllegalStateException("the demo needs plugin-service-demo in "
                    + rpc.settings().pluginsDir() + " (loaded: " + rpc.plugins() + ")");
        }
        return new Provider(rpc, filter);
    }

    /** The active extension of each point that has one, e.g. {@code serializer=protostuff (codec-protostuff 0.1.0)}. */
    private static String active(MicroRpc rpc) {
        StringBuilder b = new StringBuilder();
        rpc.admin().activeExtensions().forEach((point, ext) -> {
            if (!ext.equals("-")) {
                b.append(b.length() == 0 ? "" : ", ").append(point).append('=').append(ext);
            }
        });
        return b.toString();
    }

    private static void showRemoteError(UserService users, PrintWriter out) {
        try {
            users.getUser(-1);
            out.println("demo: getUser(-1) unexpectedly succeeded");
        } catch (RpcException e) {
            out.printf("demo: getUser(-1) fails as designed: %s (remote type %s)%n", e.status(), e.remoteType());
        }
    }

    private int run(
            EchoService echo,
            UserService users,
            MicroRpc consumer,
            List<Provider> providers,
            AtomicLong end,
            PrintWriter out)
            throws InterruptedException {
        Recorder recorder = new Recorder(3);
        Histogram total = new Histogram(3);
        LongAdder calls = new LongAdder();
        LongAdder errors = new LongAdder();
        AtomicLong lastError = new AtomicLong();
        long started = System.nanoTime();
        end.compareAndSet(Long.MAX_VALUE, started + TimeUnit.SECONDS.toNanos(seconds));
        CountDownLatch done = new CountDownLatch(concurrency);
        String message = "x".repeat(128);
        for (int i = 0; i < concurrency; i++) {
            int caller = i;
            Thread t = new Thread(
                    () -> {
                        try {
                            long n = 0;
                            while (System.nanoTime() < end.get()) {
                                long start = System.nanoTime();
                                try {
                                    if ((n++ & 3) == 3) {
                                        User u = users.getUser(caller * 1_000_000L + n);
                                        if (u == null) {
                                            throw new IllegalStateException("getUser returned null");
                                        }
                                    } else if (!message.equals(echo.echo(message))) {
                                        throw new IllegalStateException("echo returned a different message");
                                    }
                                    recorder.recordValue(Math.max(1, (System.nanoTime() - start) / 1000));
                                    calls.increment();
                                } catch (RuntimeException e) {
                                    errors.increment();
                                    if (lastError.getAndSet(System.nanoTime()) == 0) {
                                        synchronized (out) {
                                            out.println("demo: call failed: " + e);
                                            out.flush();
                                        }
                                    }
                                }
                            }
                        } finally {
                            done.countDown();
                        }
                    },
                    "demo-caller-" + i);
            t.setDaemon(true);
            t.start();
        }
        long previousCalls = 0;
        long[] previousServed = new long[providers.size()];
        long seenEvents = consumer.events(0).stream()
                .mapToLong(KernelEvent::sequence)
                .max()
                .orElse(0);
        Histogram interval = null;
        // One line per second of the run: the last one when the run ends (or a stop request ends it early).
        for (int s = 1; s <= seconds; s++) {
            long wait = started + TimeUnit.SECONDS.toNanos(s) - System.nanoTime();
            boolean finished = done.await(Math.max(0, wait), TimeUnit.NANOSECONDS);
            interval = recorder.getIntervalHistogram(interval);
            total.add(interval);
            long c = calls.sum();
            String spread = spread(providers, previousServed);
            synchronized (out) {
                out.printf(
                        "t=%ds calls=%d errors=%d throughput=%d/s p50=%dus p99=%dus spread %s active: %s%n",
                        s,
                        c,
                        errors.sum(),
                        c - previousCalls,
                        interval.getValueAtPercentile(50),
                        interval.getValueAtPercentile(99),
                        spread,
                        active(consumer));
                // What changed in plugins, strategies and configuration since the last line, in words.
                for (KernelEvent e : consumer.events(seenEvents)) {
                    out.printf("demo: %s%n", e.text());
                    seenEvents = e.sequence();
                }
                out.flush();
            }
            previousCalls = c;
            if (finished) {
                break;
            }
        }
        done.await();
        total.add(recorder.getIntervalHistogram());
        double elapsed = (System.nanoTime() - started) / 1e9;
        if (certificates != null) {
            out.printf(
                    "demo: the providers saw the caller, by its certificate, as %s%n",
                    providers.stream()
                            .map(p -> String.valueOf(p.filter().caller()))
                            .distinct()
                            .collect(Collectors.joining(", ")));
        }
        out.printf(
                "calls=%d errors=%d throughput=%.0f/s p50=%dus p99=%dus%n",
                calls.sum(),
                errors.sum(),
                calls.sum() / elapsed,
                total.getValueAtPercentile(50),
                total.getValueAtPercentile(99));
        out.flush();
        return errors.sum() == 0 && calls.sum() > 0 ? 0 : 1;
    }

    /**
     * The share of the calls each provider served since the last line, e.g. {@code 7431=38% 7432=37%
     * 7433(slow)=25%}; updates {@code previous}.
     */
    private static String spread(List<Provider> providers, long[] previous) {
        long[] served = new long[providers.size()];
        long sum = 0;
        for (int i = 0; i < served.length; i++) {
            long now = providers.get(i).filter().calls();
            served[i] = now - previous[i];
            previous[i] = now;
            sum += served[i];
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < served.length; i++) {
            b.append(i == 0 ? "" : " ")
                    .append(providers.get(i).label())
                    .append('=')
                    .append(sum == 0 ? 0 : Math.round(100.0 * served[i] / sum))
                    .append('%');
        }
        return b.toString();
    }

    /** What the demo started, closed in reverse order: the endpoint, the consumer, then the providers. */
    private static final class Kernels implements AutoCloseable {
        private final List<AutoCloseable> started = new ArrayList<>();

        <T extends AutoCloseable> T add(T closeable) {
            started.add(closeable);
            return closeable;
        }

        @Override
        public void close() throws Exception {
            Exception first = null;
            for (int i = started.size() - 1; i >= 0; i--) {
                try {
                    started.get(i).close();
                } catch (Exception e) {
                    if (first == null) {
                        first = e;
                    } else {
                        first.addSuppressed(e);
                    }
                }
            }
            if (first != null) {
                throw first;
            }
        }
    }
}
