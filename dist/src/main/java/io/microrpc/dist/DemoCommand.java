package io.microrpc.dist;

import io.microrpc.demo.api.EchoService;
import io.microrpc.demo.api.User;
import io.microrpc.demo.api.UserService;
import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.admin.AdminServer;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.launcher.LauncherOptions;
import io.microrpc.spi.RpcException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code microrpc demo}: the zero-setup tour. One kernel loads the distribution's plugins folder,
 * exports the demo service plugin's services on a free loopback port, and calls them over a real
 * connection with C concurrent callers, printing progress every second and a final summary line. It
 * uses no registry, whatever the configuration says.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run an in-process provider and consumer over loopback with the bundled plugins.")
public final class DemoCommand implements Callable<Integer> {

    /** A registry name no plugin has: the demo runs without one. */
    private static final String NO_REGISTRY = "none";

    @Mixin
    LauncherOptions options;

    @Option(names = "--seconds", defaultValue = "10", description = "How long to run (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--concurrency", defaultValue = "16", description = "Concurrent callers (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (seconds < 1 || concurrency < 1) {
            throw new IllegalArgumentException("--seconds " + seconds + " --concurrency " + concurrency + " (expected: >= 1 each)");
        }
        // Direct addressing on a free loopback port: nothing is registered, no ZooKeeper is started.
        KernelSettings settings = options.settings().toBuilder().serverHost("127.0.0.1").serverPort(0)
                .registry(NO_REGISTRY).build();
        try (MicroRpc rpc = MicroRpc.builder().settings(settings).start();
             AdminServer admin = settings.adminPort() >= 0
                     ? AdminServer.start(rpc, settings.adminHost(), settings.adminPort()) : null) {
            if (!rpc.exportedServices().contains(EchoService.class.getName())) {
                throw new IllegalStateException("the demo needs plugin-service-demo in " + settings.pluginsDir()
                        + " (loaded: " + rpc.plugins() + ")");
            }
            String address = "127.0.0.1:" + rpc.port();
            EchoService echo = rpc.reference(EchoService.class, address);
            UserService users = rpc.reference(UserService.class, address);
            out.printf("demo: provider and consumer on %s, %d callers for %d s%n", address, concurrency, seconds);
            for (Map.Entry<String, List<String>> e : rpc.extensions().entrySet()) {
                if (e.getKey().equals("registry")) {
                    out.printf("demo: %-12s none: the demo uses direct addresses (loaded: %s)%n", e.getKey(),
                            e.getValue().isEmpty() ? "none" : String.join(", ", e.getValue()));
                } else if (!e.getValue().isEmpty()) {
                    out.printf("demo: %-12s %s%n", e.getKey(), String.join(", ", e.getValue()));
                }
            }
            showRemoteError(users, out);
            out.flush();
            return run(echo, users, rpc, out);
        }
    }

    /** The active extension of each point that has one, e.g. {@code serializer=protostuff (codec-protostuff 0.1.0)}. */
    private static String active(MicroRpc rpc) {
        StringBuilder b = new StringBuilder();
        rpc.activeExtensions().forEach((point, ext) -> {
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

    private int run(EchoService echo, UserService users, MicroRpc rpc, PrintWriter out) throws InterruptedException {
        Recorder recorder = new Recorder(3);
        Histogram total = new Histogram(3);
        LongAdder calls = new LongAdder();
        LongAdder errors = new LongAdder();
        AtomicLong lastError = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        CountDownLatch done = new CountDownLatch(concurrency);
        List<Thread> threads = new ArrayList<>();
        String message = "x".repeat(128);
        for (int i = 0; i < concurrency; i++) {
            int caller = i;
            Thread t = new Thread(() -> {
                try {
                    long n = 0;
                    while (System.nanoTime() < end) {
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
            }, "demo-caller-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        long started = System.nanoTime();
        long previousCalls = 0;
        Histogram interval = null;
        for (int s = 1; !done.await(1, TimeUnit.SECONDS); s++) {
            interval = recorder.getIntervalHistogram(interval);
            total.add(interval);
            long c = calls.sum();
            synchronized (out) {
                out.printf("t=%ds calls=%d errors=%d throughput=%d/s p50=%dus p99=%dus active: %s%n", s, c, errors.sum(),
                        c - previousCalls, interval.getValueAtPercentile(50), interval.getValueAtPercentile(99), active(rpc));
                out.flush();
            }
            previousCalls = c;
        }
        total.add(recorder.getIntervalHistogram());
        double elapsed = (System.nanoTime() - started) / 1e9;
        out.printf("calls=%d errors=%d throughput=%.0f/s p50=%dus p99=%dus%n", calls.sum(), errors.sum(),
                calls.sum() / elapsed, total.getValueAtPercentile(50), total.getValueAtPercentile(99));
        out.flush();
        return errors.sum() == 0 && calls.sum() > 0 ? 0 : 1;
    }
}
