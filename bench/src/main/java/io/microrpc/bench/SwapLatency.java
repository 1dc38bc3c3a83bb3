package io.microrpc.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The hot-swap measurement: echo-128 latency while the client's codec plugin is replaced every N ms
 * (a second version of the codec JAR is added, then removed, so the active version alternates), against
 * the same scenario with no swaps, in one run. Reports p99 of both and the errors (there must be none).
 */
final class SwapLatency {

    private SwapLatency() {}

    static int run(Path plugins, Path swapJar, long everyMillis, RunSettings settings, List<String> serverJvmArgs)
            throws Exception {
        Path clientPlugins = Files.createTempDirectory("microrpc-bench-swap-plugins-");
        try (var files = Files.list(plugins)) {
            for (Path jar : (Iterable<Path>) files::iterator) {
                Files.copy(jar, clientPlugins.resolve(jar.getFileName()));
            }
        }
        Result steady;
        Result swapping;
        AtomicInteger swaps = new AtomicInteger();
        try (MicroRpcTarget target = MicroRpcTarget.start(plugins, clientPlugins, true, serverJvmArgs, null)) {
            System.err.println("microrpc   echo-128         steady (no swaps)");
            steady = target.run(Scenario.ECHO_128, settings);
            ScheduledExecutorService swapper = Executors.newSingleThreadScheduledExecutor();
            Path target2 = clientPlugins.resolve("swap-" + swapJar.getFileName());
            swapper.scheduleWithFixedDelay(
                    () -> {
                        try {
                            if (Files.exists(target2)) {
                                Files.delete(target2);
                            } else {
                                Path tmp = clientPlugins.resolve(".swap.tmp");
                                Files.copy(swapJar, tmp, StandardCopyOption.REPLACE_EXISTING);
                                Files.move(tmp, target2, StandardCopyOption.ATOMIC_MOVE);
                            }
                            swaps.incrementAndGet();
                        } catch (Exception e) {
                            System.err.println("swap failed: " + e);
                        }
                    },
                    everyMillis,
                    everyMillis,
                    TimeUnit.MILLISECONDS);
            System.err.printf("microrpc   echo-128         swapping the codec every %d ms%n", everyMillis);
            try {
                swapping = target.run(Scenario.ECHO_128, settings);
            } finally {
                swapper.shutdownNow();
            }
            // Generation numbers grow by one per loaded plugin version: the last one shows how many swaps happened.
            System.err.println(
                    "client generations after the run: " + target.client().generations());
        } finally {
            TempDirs.delete(clientPlugins);
        }
        System.out.println();
        System.out.printf(
                "%-22s %10s %9s %9s %9s %7s%n",
                "echo-128, C=" + steady.concurrency(), "calls/s", "p50 us", "p99 us", "p99.9 us", "errors");
        print("steady", steady);
        print("swapping (" + swaps.get() + " changes)", swapping);
        System.out.printf("p99 during swaps / steady p99: %.2f%n", swapping.micros(99) / steady.micros(99));
        return steady.errors() + swapping.errors() == 0 ? 0 : 1;
    }

    private static void print(String label, Result r) {
        System.out.printf(
                "%-22s %,10.0f %9.0f %9.0f %9.0f %7d%n",
                label, r.callsPerSecond(), r.micros(50), r.micros(99), r.micros(99.9), r.errors());
    }
}
