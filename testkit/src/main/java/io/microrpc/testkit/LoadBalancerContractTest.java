package io.microrpc.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.microrpc.spi.ClientRequestContext;
import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.LoadBalancer;
import io.microrpc.spi.PluginContext;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
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
 * The contract every {@link LoadBalancer} passes, whatever its strategy: its selectors return one of
 * the candidates they were made for (the very object, not an equal one) and never one of the {@code
 * excluded}, handle two and many candidates, keep working when rebuilt with {@code previous} as the
 * candidates change (and the replaced one keeps working for callers that still hold it), cope with
 * all-zero weights, with many threads calling at once while statistics change, and do no
 * allocation-heavy work per pick.
 *
 * <p>{@link #pick} asks for selectors as the kernel does: a new one, handed the one it replaces, when
 * the candidate list object changes.
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

    /** The service the suite's selectors are made for. */
    protected static final String SERVICE = TestEndpoint.DEFAULT_SERVICE;

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

    /** The candidates of the last {@link #pick} and their selector; guarded by {@code this}. */
    private List<Endpoint> lastCandidates;

    private LoadBalancer.Selector lastSelector;

    /**
     * The selector for {@code candidates}, made as the kernel makes it: the last one while the list is
     * the same object, else a new one from {@link LoadBalancer#newSelector} handed the one it replaces.
     */
    protected synchronized LoadBalancer.Selector selectorFor(List<Endpoint> candidates) {
        if (candidates != lastCandidates) {
            lastSelector = newSelector(candidates, lastSelector);
            lastCandidates = candidates;
        }
        return lastSelector;
    }

    /** {@code balancer.newSelector} for {@link #SERVICE}, checked not to be null. */
    protected LoadBalancer.Selector newSelector(List<Endpoint> candidates, LoadBalancer.Selector previous) {
        LoadBalancer.Selector selector = balancer.newSelector(SERVICE, candidates, previous);
        assertThat(selector).as("%s.newSelector(...)", balancer.name()).isNotNull();
        return selector;
    }

    /** Picks once for a first attempt and checks the result is one of {@code candidates}, by identity. */
    protected Endpoint pick(List<Endpoint> candidates, Invocation invocation) {
        return pick(selectorFor(candidates), candidates, invocation, List.of());
    }

    /** Picks once with {@code excluded} and checks the result is one of {@code candidates} and not excluded. */
    protected Endpoint pick(List<Endpoint> candidates, Invocation invocation, Collection<Endpoint> excluded) {
        return pick(selectorFor(candidates), candidates, invocation, excluded);
    }

    protected static Endpoint pick(
            LoadBalancer.Selector selector,
            List<Endpoint> candidates,
            Invocation invocation,
            Collection<Endpoint> excluded) {
        Endpoint chosen = selector.select(TestInvocation.callContext(invocation), invocation, excluded);
        assertIsCandidate(chosen, candidates);
        for (Endpoint e : excluded) {
            if (e == chosen) {
                throw new AssertionError("selected " + chosen + ", which is excluded: " + excluded);
            }
        }
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

    /**
     * Some of {@code candidates}, at least one left out, and sometimes an endpoint that is no candidate
     * (a failed one that has left since); a list or a set.
     */
    private static Collection<Endpoint> randomExcluded(
            List<Endpoint> candidates, TestEndpoint[] pool, SplittableRandom random) {
        List<Endpoint> excluded = new ArrayList<>();
        int keep = random.nextInt(candidates.size());
        for (int i = 0; i < candidates.size(); i++) {
            if (i != keep && random.nextBoolean()) {
                excluded.add(candidates.get(i));
            }
        }
        Endpoint other = pool[random.nextInt(pool.length)];
        if (random.nextInt(4) == 0 && !candidates.contains(other)) {
            excluded.add(other);
        }
        return random.nextBoolean() ? List.copyOf(excluded) : Set.copyOf(excluded);
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

    /** Every candidate but one excluded: that one, even with weight 0 while the excluded have weight. */
    @Test
    void picksTheOnlyCandidateNotExcluded() {
        TestEndpoint[] pool = variedEndpoints(5, 17);
        pool[3].weight(0);
        List<Endpoint> candidates = List.of(pool);
        for (TestEndpoint left : pool) {
            List<Endpoint> excluded = new ArrayList<>(candidates);
            excluded.remove(left);
            for (Invocation inv : invocations(50)) {
                assertThat(pick(candidates, inv, excluded)).isSameAs(left);
            }
        }
    }

    @Test
    void neverReturnsAnExcludedEndpoint() {
        TestEndpoint[] pool = variedEndpoints(20, 43);
        SplittableRandom random = new SplittableRandom(9);
        Invocation[] calls = invocations(100);
        for (int round = 0; round < 2_000; round++) {
            List<Endpoint> candidates = randomSubset(pool, random, 2);
            for (int i = 0; i < 10; i++) {
                pick(candidates, calls[random.nextInt(calls.length)], randomExcluded(candidates, pool, random));
            }
        }
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

    /** A new list object per call: a selector rebuilt with {@code previous} a thousand times keeps working. */
    @Test
    void keepsWorkingWhenRebuiltWithPreviousForEveryCall() {
        TestEndpoint[] pool = TestEndpoint.many(5);
        for (Invocation inv : invocations(1_000)) {
            pick(List.copyOf(Arrays.asList(pool)), inv);
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
        // A caller that read a selector just before it was replaced still uses it.
        LoadBalancer.Selector old = selectorFor(first);
        selectorFor(grown);
        for (Invocation inv : invocations(200)) {
            pick(old, first, inv, List.of());
            pick(old, first, inv, List.of(pool[0]));
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
            pick(candidates, inv, List.of(candidates.get(1)));
        }
    }

    @Test
    void doesNotModifyTheCandidates() {
        TestEndpoint[] pool = variedEndpoints(8, 3);
        List<Endpoint> candidates = new ArrayList<>(Arrays.asList(pool));
        List<Endpoint> before = List.copyOf(candidates);
        List<Endpoint> view = Collections.unmodifiableList(candidates);
        for (Invocation inv : invocations(500)) {
            pick(view, inv);
            pick(view, inv, Collections.unmodifiableSet(Set.of(pool[0])));
        }
        assertThat(candidates).containsExactlyElementsOf(before);
    }

    /**
     * 8 threads × 10,000 picks, half from one selector they share, half from selectors of their own
     * rebuilt with {@code previous} as their subsets change (as several references to one service do),
     * some with an endpoint excluded, while another thread changes the statistics.
     */
    @Test
    void isSafeUnderConcurrentCallers() throws Exception {
        TestEndpoint[] pool = variedEndpoints(16, 11);
        List<Endpoint> all = List.of(pool);
        LoadBalancer.Selector shared = newSelector(all, null);
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
                    LoadBalancer.Selector own = newSelector(candidates, null);
                    int done = 0;
                    for (int i = 0; i < 10_000; i++) {
                        if (i % 500 == 0) {
                            candidates = randomSubset(pool, random, 2);
                            own = newSelector(candidates, own);
                        }
                        boolean mine = (i & 1) == 0;
                        List<Endpoint> from = mine ? candidates : all;
                        Collection<Endpoint> excluded =
                                i % 8 < 2 ? List.of(from.get(random.nextInt(from.size()))) : List.of();
                        pick(mine ? own : shared, from, calls[random.nextInt(calls.length)], excluded);
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
     * 100,000 picks of one selector, first attempts (nothing excluded), after as many to warm up (JIT).
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
        LoadBalancer.Selector selector = newSelector(List.of(pool), null);
        Invocation[] calls = invocations(64);
        ClientRequestContext[] contexts = new ClientRequestContext[calls.length];
        for (int i = 0; i < calls.length; i++) {
            contexts[i] = TestInvocation.callContext(calls[i]);
        }
        List<Endpoint> none = List.of();
        int picks = 100_000;
        long sink = 0;
        for (int i = 0; i < picks; i++) {
            sink += selector.select(contexts[i & 63], calls[i & 63], none).inFlight();
        }
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < picks; i++) {
            sink += selector.select(contexts[i & 63], calls[i & 63], none).inFlight();
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
