package io.microrpc.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.ReferenceOptions;
import io.microrpc.kernel.config.KernelSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Load balancing end to end, on the plugin JARs the distribution ships: three provider kernels, one of
 * them 20 ms slower per call, and a consumer kernel that references all three. With {@code p2c} the
 * slow provider is avoided (at least 80% of calls go to the fast two); after a runtime switch to
 * {@code round-robin} each provider gets a third. Calls are counted by the providers.
 */
class LoadBalancingIT {

    private static final Path DIST_PLUGINS =
            Path.of(System.getProperty("microrpc.dist.dir", "target/microrpc"), "plugins");
    private static final int CALLS = 150;
    private static final Duration EXTRA_DELAY = Duration.ofMillis(20);
    private static final int P2C_ROUNDS = 5;

    /** The test's RPC interface. */
    public interface Probe {
        /** Returns the name of the provider that served the call. */
        String hit(int sequence);
    }

    /** A provider that counts its calls and takes {@code delay} longer each. */
    static final class CountingProbe implements Probe {
        final String name;
        final long delayNanos;
        final AtomicInteger calls = new AtomicInteger();

        CountingProbe(String name, Duration delay) {
            this.name = name;
            this.delayNanos = delay.toNanos();
        }

        @Override
        public String hit(int sequence) {
            calls.incrementAndGet();
            if (delayNanos > 0) {
                LockSupport.parkNanos(delayNanos); // the slow provider's extra work
            }
            return name;
        }
    }

    @TempDir
    Path tmp;

    private final List<MicroRpc> kernels = new ArrayList<>();
    private final List<CountingProbe> providers = List.of(
            new CountingProbe("fast-1", Duration.ZERO),
            new CountingProbe("fast-2", Duration.ZERO),
            new CountingProbe("slow", EXTRA_DELAY));
    private final List<String> addresses = new ArrayList<>();
    private MicroRpc consumer;

    @BeforeEach
    void startKernels() throws IOException {
        for (CountingProbe p : providers) {
            MicroRpc provider = start(p.name, "plugin-codec-protostuff");
            provider.export(Probe.class, p);
            addresses.add("127.0.0.1:" + provider.port());
        }
        consumer = start("consumer", "plugin-codec-protostuff", "plugin-lb-adaptive", "plugin-lb-weighted");
    }

    @AfterEach
    void closeKernels() {
        // consumer first, so no call is in flight when the providers go
        for (int i = kernels.size() - 1; i >= 0; i--) {
            kernels.get(i).close();
        }
    }

    @Test
    void p2cAvoidsTheSlowProviderAndRoundRobinSplitsEvenly() {
        warmUp();
        assertThat(consumer.admin().activeExtensions().get("loadbalancer")).startsWith("p2c");

        // Peak EWMA takes any slow sample at face value and forgets it over ~10 s. On a busy machine a
        // call to a fast provider can stall for longer than the slow one's 20 ms (a GC pause, CPU
        // starvation: measured up to 90 ms here); p2c then rightly avoids that provider, and the round
        // says nothing about a fast/slow split. Such a round is repeated with a fresh reference (fresh
        // statistics), at most P2C_ROUNDS times; the assertion applies to the last round either way.
        Round p2c = null;
        for (int round = 1; round <= P2C_ROUNDS; round++) {
            Probe probe = freshReference();
            System.gc(); // start with an empty young generation: a collection during the round is a stall
            p2c = callAndCount(probe);
            System.out.printf("p2c round %d: %s%n", round, p2c);
            if (p2c.slowestFastCallNanos < EXTRA_DELAY.toNanos()) {
                break;
            }
        }
        double fastShare = (p2c.served[0] + p2c.served[1]) / (double) CALLS;
        System.out.printf("p2c: %.1f%% of calls to the two fast providers%n", fastShare * 100);
        assertThat(fastShare)
                .as("share of calls to the two fast providers with p2c; %s", p2c)
                .isGreaterThanOrEqualTo(0.80);

        consumer.admin().switchExtension("loadbalancer", "round-robin", null);
        assertThat(consumer.admin().activeExtensions().get("loadbalancer")).startsWith("round-robin");
        Round rr = callAndCount(freshReference());
        System.out.printf("round-robin: %s%n", rr);
        for (int i = 0; i < 3; i++) {
            assertThat(rr.served[i] / (double) CALLS)
                    .as("share of %s with round-robin; %s", providers.get(i).name, rr)
                    .isBetween(0.30, 0.37);
        }
    }

    /**
     * Warms the consumer's codec and each provider through single-address references (no balancer),
     * and the balancer path through a reference that is then dropped with its statistics.
     */
    private void warmUp() {
        for (String address : addresses) {
            Probe single = consumer.reference(
                    Probe.class,
                    ReferenceOptions.builder()
                            .address(address)
                            .timeout(Duration.ofSeconds(10))
                            .build());
            for (int i = 0; i < 50; i++) {
                single.hit(i);
            }
        }
        for (CountingProbe p : providers) {
            assertThat(p.calls.get()).as("warm-up calls served by %s", p.name).isEqualTo(50);
        }
        Probe all = freshReference();
        for (int i = 0; i < 100; i++) {
            all.hit(i);
        }
    }

    /** A new reference to the three providers: new endpoints, no statistics yet. */
    private Probe freshReference() {
        return consumer.reference(
                Probe.class,
                ReferenceOptions.builder()
                        .addresses(addresses)
                        .timeout(Duration.ofSeconds(10))
                        .build());
    }

    /** {@value #CALLS} calls, one after the other, counted by the providers. */
    private Round callAndCount(Probe probe) {
        int[] before = new int[3];
        for (int i = 0; i < 3; i++) {
            before[i] = providers.get(i).calls.get();
        }
        long start = System.nanoTime();
        long slowestFast = 0;
        for (int i = 0; i < CALLS; i++) {
            long t0 = System.nanoTime();
            String who = probe.hit(i);
            long took = System.nanoTime() - t0;
            if (!who.equals("slow")) {
                slowestFast = Math.max(slowestFast, took);
            }
        }
        long elapsed = System.nanoTime() - start;
        int[] served = new int[3];
        for (int i = 0; i < 3; i++) {
            served[i] = providers.get(i).calls.get() - before[i];
        }
        assertThat(served[0] + served[1] + served[2]).isEqualTo(CALLS);
        return new Round(served, slowestFast, elapsed);
    }

    /** What one series of calls did. */
    private static final class Round {
        final int[] served;
        final long slowestFastCallNanos;
        final long elapsedNanos;

        Round(int[] served, long slowestFastCallNanos, long elapsedNanos) {
            this.served = served;
            this.slowestFastCallNanos = slowestFastCallNanos;
            this.elapsedNanos = elapsedNanos;
        }

        @Override
        public String toString() {
            return "fast-1/fast-2/slow served " + Arrays.toString(served) + " of " + CALLS + " calls in "
                    + TimeUnit.NANOSECONDS.toMillis(elapsedNanos) + " ms, slowest call to a fast provider "
                    + TimeUnit.NANOSECONDS.toMillis(slowestFastCallNanos) + " ms";
        }
    }

    /** A kernel on 127.0.0.1, any port, with copies of the named plugin JARs of the distribution. */
    private MicroRpc start(String name, String... plugins) throws IOException {
        Path pluginsDir = Files.createDirectories(tmp.resolve(name).resolve("plugins"));
        for (String plugin : plugins) {
            Path jar = pluginJar(plugin);
            Files.copy(jar, pluginsDir.resolve(jar.getFileName()));
        }
        KernelSettings settings = KernelSettings.builder()
                .serverHost("127.0.0.1")
                .serverPort(0)
                .pluginsDir(pluginsDir)
                .dataDir(tmp.resolve(name).resolve("data"))
                .pluginsWatch(false)
                .loadbalancer("p2c")
                .build();
        MicroRpc kernel = MicroRpc.builder().settings(settings).start();
        kernels.add(kernel);
        return kernel;
    }

    private static Path pluginJar(String artifactId) throws IOException {
        try (Stream<Path> files = Files.list(DIST_PLUGINS)) {
            return files.filter(p -> p.getFileName().toString().startsWith(artifactId + '-'))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException(
                            "no " + artifactId + " JAR in " + DIST_PLUGINS + "; run mvn package in dist first"));
        }
    }
}
