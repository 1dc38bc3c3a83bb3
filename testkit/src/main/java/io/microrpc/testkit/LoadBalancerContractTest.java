package io.microrpc.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.LoadBalancer;
import io.microrpc.spi.PluginContext;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link LoadBalancer} passes, whatever its strategy: it returns one of the
 * candidates it was given (the very object, not an equal one), handles one and many candidates,
 * refuses none, copes with a fresh and changing candidate list on every call (as the kernel hands
 * it), with all-zero weights, with many threads calling at once while statistics change, and does no
 * allocation-heavy work per pick.
 *
 * <p>Subclass it in the strategy's tests and implement {@link #newBalancer()}; override
 * {@link #newContext()} to start the balancer with configuration, {@link #maxBytesPerPick()} if the
 * strategy must allocate, and {@link #spreads()} to return {@code false} for a deterministic strategy.
 * Put strategy-specific checks in a class of their own.
 */
public abstract class LoadBalancerContractTest {

    /** The balancer under test, started with {@link #context}. */
    protected LoadBalancer balancer;

    protected TestPluginContext context;

    /** A new, not yet started instance of the balancer under test. */
    protected abstract LoadBalancer newBalancer();

    /** The context the balancer is started with; override to give it configuration keys. */
    protected TestPluginContext newContext() {
        return TestPluginContext.empty();
    }

    /**
     * The average number of bytes one pick may allocate in steady state (same candidates, same
     * statistics). The default, 64, allows JIT noise but not a per-pick array or map; a strategy that
     * legitimately allocates (e.g. to turn a non-string key into a string) may raise it.
     */
    protected double maxBytesPerPick() {
        return 64;
    }

    /**
     * Whether the strategy spreads calls over equal candidates: true (the default) for random,
     * round-robin, hashing and least-loaded kinds, whose checks {@code spreadsCallsOverEqualCandidates}
     * and {@code handlesManyCandidates} then prove they do not always pick the same endpoint. A
     * deterministic strategy (the lowest address, a primary with standbys) legitimately picks the same
     * one of equal candidates every time: it returns false, the first check is skipped and the second
     * checks only that every pick is a candidate.
     */
    protected boolean spreads() {
        return true;
    }

    /** Starts {@code lb} with {@code context}, as the kernel does once before the first call. */
    protected static <T extends LoadBalancer> T started(T lb, PluginContext context) {
        try {
            lb.start(context);
        } catch (Exception e) {
            throw new IllegalStateException("load balancer " + lb.name() + " failed to start: " + e, e);
        }
        return lb;
    }

    @BeforeEach
    void startBalancer() {
        context = newContext();
        balancer = started(newBalancer(), context);
    }

    @AfterEach
    void stopBalancer() {
        balancer.stop();
    }

    // ---- helpers for subclasses

    /** {@code count} different invocations of {@code SampleService.lookup}, keys {@code key-0}…. */
    protected static Invocation[] invocations(int count) {
        Invocation[] out = new Invocation[count];
        for (int i = 0; i < count; i++) {
            out[i] = TestInvocation.lookup("key-" + i);
        }
        return out;
    }

    /** Picks once and checks the result is one of {@code candidates}, by identity. */
    protected Endpoint pick(List<Endpoint> candidates, Invocation invocation) {
        Endpoint chosen = balancer.select(candidates, invocation);
        assertIsCandidate(chosen, candidates);
        return chosen;
    }

    protected static void assertIsCandidate(Endpoint chosen, List<Endpoint> candidates) {
        for (Endpoint c : candidates) {
            if (c == chosen) {
                return;
            }
        }
        throw new AssertionError("selected " + chosen + ", which is not one of the candidates " + candidates);
    }

    /** Varied statistics: weights 0–300, 0–20 calls in flight, latencies 0–50 ms, some never measured. */
    protected static TestEndpoint[] variedEndpoints(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        TestEndpoint[] pool = TestEndpoint.many(count);
        for (TestEndpoint e : pool) {
            long latency = random.nextInt(4) == 0 ? 0 : 100_000 + random.nextLong(50_000_000);
            e.weight(random.nextInt(8) == 0 ? 0 : 1 + random.nextInt(300))
                    .inFlight(random.nextInt(21))
                    .latencyEwmaNanos(latency)
                    .peakEwmaNanos(latency * 2);
        }
        return pool;
    }

    private static List<Endpoint> randomSubset(TestEndpoint[] pool, SplittableRandom random, int minSize) {
        List<Endpoint> all = new ArrayList<>(Arrays.asList(pool));
        int size = minSize + random.nextInt(pool.length - minSize + 1);
        for (int i = all.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Endpoint t = all.get(i);
            all.set(i, all.get(j));
            all.set(j, t);
        }
        return List.copyOf(all.subList(0, size));
    }

    // ---- the contract

    @Test
    void hasAConfigurableName() {
        assertThat(balancer.name()).matches("[a-z0-9-]+");
        assertThat(newBalancer().name()).isEqualTo(balancer.name());
    }

    @Test
    void returnsTheOnlyCandidate() {
        TestEndpoint only = TestEndpoint.of("10.0.0.1:7420");
        for (Invocation inv : invocations(50)) {
            assertThat(balancer.select(List.of(only), inv)).isSameAs(only);
        }
    }

    /**
     * The kernel never calls a balancer without candidates (it fails the call with UNAVAILABLE first,
     * and picks the only one itself), but a balancer called that way must say so clearly rather than
     * fail with an index error or return null.
     */
    @Test
    void refusesAnEmptyCandidateListWithAClearMessage() {
        assertThatThrownBy(() -> balancer.select(List.of(), TestInvocation.lookup("k")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("candidates");
    }

    @Test
    void alwaysReturnsOneOfTheCandidates() {
        TestEndpoint[] pool = variedEndpoints(20, 42);
        SplittableRandom random = new SplittableRandom(7);
        Invocation[] calls = invocations(100);
        for (int round = 0; round < 2_000; round++) {
            List<Endpoint> candidates = randomSubset(pool, random, 2);
            for (int i = 0; i < 10; i++) {
                pick(candidates, calls[random.nextInt(calls.length)]);
            }
        }
    }

    @Test
    void handlesManyCandidates() {
        List<Endpoint> candidates = List.of(TestEndpoint.many(500));
        Set<Endpoint> chosen = new HashSet<>();
        for (Invocation inv : invocations(10_000)) {
            chosen.add(pick(candidates, inv));
        }
        if (spreads()) {
            assertThat(chosen)
                    .as("distinct endpoints chosen among 500 equal ones")
                    .hasSizeGreaterThan(1);
        }
    }

    @Test
    void spreadsCallsOverEqualCandidates() {
        assumeTrue(spreads(), "a deterministic strategy (spreads() is false)");
        List<Endpoint> candidates = List.of(TestEndpoint.many(4));
        Set<Endpoint> chosen = new HashSet<>();
        for (Invocation inv : invocations(1_000)) {
            chosen.add(pick(candidates, inv));
        }
        assertThat(chosen)
                .as("a strategy that always picks the same one of four equal endpoints")
                .hasSizeGreaterThan(1);
    }

    @Test
    void acceptsAFreshListOfTheSameEndpointsOnEveryCall() {
        TestEndpoint[] pool = TestEndpoint.many(5);
        for (Invocation inv : invocations(1_000)) {
            pick(new ArrayList<>(Arrays.asList(pool)), inv);
        }
    }

    @Test
    void followsChangesOfTheCandidateList() {
        TestEndpoint[] pool = TestEndpoint.many(6);
        List<Endpoint> first = List.of(pool[0], pool[1], pool[2]);
        List<Endpoint> second = List.of(pool[3], pool[4]);
        List<Endpoint> reordered = List.of(pool[2], pool[0], pool[1]);
        // Same addresses, new objects: a reconnect or a registry update may replace an endpoint.
        List<Endpoint> replaced = List.of(pool[0].copy(), pool[1].copy(), pool[2].copy());
        List<Endpoint> grown = List.of(pool[0], pool[1], pool[2], pool[5]);
        for (Invocation inv : invocations(200)) {
            pick(first, inv);
            pick(second, inv);
            pick(reordered, inv);
            pick(replaced, inv);
            pick(grown, inv);
        }
    }

    @Test
    void picksACandidateWhenEveryWeightIsZero() {
        List<Endpoint> candidates = List.of(
                TestEndpoint.of("10.0.0.1:7420").weight(0),
                TestEndpoint.of("10.0.0.2:7420").weight(0),
                TestEndpoint.of("10.0.0.3:7420").weight(0));
        for (Invocation inv : invocations(300)) {
            pick(candidates, inv);
        }
    }

    @Test
    void doesNotModifyTheCandidates() {
        TestEndpoint[] pool = variedEndpoints(8, 3);
        List<Endpoint> candidates = new ArrayList<>(Arrays.asList(pool));
        List<Endpoint> before = List.copyOf(candidates);
        for (Invocation inv : invocations(500)) {
            pick(java.util.Collections.unmodifiableList(candidates), inv);
        }
        assertThat(candidates).containsExactlyElementsOf(before);
    }

    /** 8 threads × 10,000 picks from changing subsets while another thread changes the statistics. */
    @Test
    void isSafeUnderConcurrentCallers() throws Exception {
        TestEndpoint[] pool = variedEndpoints(16, 11);
        Invocation[] calls = invocations(64);
        int threads = 8;
        ExecutorService executor = Executors.newFixedThreadPool(threads + 1);
        AtomicBoolean running = new AtomicBoolean(true);
        CountDownLatch go = new CountDownLatch(1);
        try {
            Future<?> mutator = executor.submit(() -> {
                SplittableRandom random = new SplittableRandom(5);
                go.await();
                while (running.get()) {
                    TestEndpoint e = pool[random.nextInt(pool.length)];
                    e.inFlight(random.nextInt(30))
                            .peakEwmaNanos(random.nextLong(40_000_000))
                            .latencyEwmaNanos(random.nextLong(20_000_000));
                    if (random.nextInt(16) == 0) {
                        e.weight(random.nextInt(200));
                    }
                    Thread.onSpinWait();
                }
                return null;
            });
            List<Future<Integer>> pickers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = t;
                Callable<Integer> picker = () -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    go.await();
                    List<Endpoint> candidates = randomSubset(pool, random, 2);
                    int done = 0;
                    for (int i = 0; i < 10_000; i++) {
                        if (i % 500 == 0) {
                            candidates = randomSubset(pool, random, 2);
                        }
                        pick(candidates, calls[random.nextInt(calls.length)]);
                        done++;
                    }
                    return done;
                };
                pickers.add(executor.submit(picker));
            }
            go.countDown();
            int total = 0;
            for (Future<Integer> f : pickers) {
                total += f.get(60, TimeUnit.SECONDS);
            }
            running.set(false);
            mutator.get(10, TimeUnit.SECONDS);
            assertThat(total).isEqualTo(threads * 10_000);
        } finally {
            running.set(false);
            executor.shutdownNow();
        }
    }

    /**
     * Allocation per pick in steady state, measured with the JVM's per-thread allocation counter over
     * 100,000 picks after as many to warm up (JIT). The kernel's own list of candidates is not counted.
     */
    @Test
    void allocatesLittlePerPickInSteadyState() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "the JVM reports per-thread allocation");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(
                threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "per-thread allocation accounting is on");

        TestEndpoint[] pool = variedEndpoints(16, 13);
        for (TestEndpoint e : pool) {
            e.weight(Math.max(1, e.weight()));
        }
        List<Endpoint> candidates = List.of(pool);
        Invocation[] calls = invocations(64);
        int picks = 100_000;
        long sink = 0;
        for (int i = 0; i < picks; i++) {
            sink += balancer.select(candidates, calls[i & 63]).inFlight();
        }
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < picks; i++) {
            sink += balancer.select(candidates, calls[i & 63]).inFlight();
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        double perPick = (double) allocated / picks;
        System.out.printf(
                "%s: %.2f bytes allocated per pick (%d bytes over %d picks, sink %d)%n",
                balancer.name(), perPick, allocated, picks, sink);
        assertThat(perPick)
                .as("bytes allocated per pick by %s", balancer.name())
                .isLessThan(maxBytesPerPick());
    }
}
