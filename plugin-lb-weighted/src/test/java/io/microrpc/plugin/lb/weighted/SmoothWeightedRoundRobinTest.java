package io.microrpc.plugin.lb.weighted;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.LoadBalancer;
import io.microrpc.testkit.TestEndpoint;
import io.microrpc.testkit.TestInvocation;
import io.microrpc.testkit.TestPluginContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class SmoothWeightedRoundRobinTest {

    private final TestPluginContext context = TestPluginContext.forExtension("loadbalancer", "round-robin", Map.of());
    private final SmoothWeightedRoundRobin rr = started(context);
    private final Invocation call = TestInvocation.lookup("k");

    private static SmoothWeightedRoundRobin started(TestPluginContext context) {
        SmoothWeightedRoundRobin lb = new SmoothWeightedRoundRobin();
        lb.start(context);
        return lb;
    }

    private static Endpoint pick(LoadBalancer.Selector selector, Invocation inv) {
        return selector.select(TestInvocation.callContext(inv), inv, List.of());
    }

    private LoadBalancer.Selector selector(List<Endpoint> candidates) {
        return rr.newSelector(call.service(), candidates, null);
    }

    private static String sequence(LoadBalancer.Selector selector, Map<Endpoint, String> names, int picks) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < picks; i++) {
            out.append(names.get(pick(selector, TestInvocation.lookup("k"))));
        }
        return out.toString();
    }

    @Test
    void weights5_1_1GiveNginxsSequence() {
        TestEndpoint a = TestEndpoint.of("10.0.0.1:7420").weight(5);
        TestEndpoint b = TestEndpoint.of("10.0.0.2:7420").weight(1);
        TestEndpoint c = TestEndpoint.of("10.0.0.3:7420").weight(1);
        Map<Endpoint, String> names = Map.of(a, "a", b, "b", c, "c");

        assertThat(sequence(selector(List.of(a, b, c)), names, 21)).isEqualTo("aabacaa" + "aabacaa" + "aabacaa");
    }

    @Test
    void sharesAreExactlyTheWeightsOverWholeCycles() {
        TestEndpoint[] e = {
            TestEndpoint.of("10.0.0.1:1").weight(3),
            TestEndpoint.of("10.0.0.2:1").weight(2),
            TestEndpoint.of("10.0.0.3:1").weight(1),
            TestEndpoint.of("10.0.0.4:1").weight(0)
        };
        LoadBalancer.Selector selector = selector(List.of(e));
        Map<Endpoint, Integer> counts = new LinkedHashMap<>();
        for (int i = 0; i < 600; i++) {
            counts.merge(pick(selector, call), 1, Integer::sum);
        }
        assertThat(counts).containsExactly(Map.entry(e[0], 300), Map.entry(e[1], 200), Map.entry(e[2], 100));
    }

    /** Dubbo resets every counter when a weight changes; here only the changed node's share changes. */
    @Test
    void aWeightChangeDoesNotResetTheOtherCounters() {
        TestEndpoint a = TestEndpoint.of("10.0.0.1:7420").weight(5);
        TestEndpoint b = TestEndpoint.of("10.0.0.2:7420").weight(1);
        TestEndpoint c = TestEndpoint.of("10.0.0.3:7420").weight(1);
        Map<Endpoint, String> names = Map.of(a, "a", b, "b", c, "c");
        List<Endpoint> list = List.of(a, b, c);
        LoadBalancer.Selector first = selector(list);
        assertThat(sequence(first, names, 3)).isEqualTo("aab"); // counters now a=1, b=-4, c=3

        c.weight(3); // the kernel asks for a new selector when a weight changes
        String continued = sequence(rr.newSelector(call.service(), List.copyOf(list), first), names, 9);

        Reference kept = new Reference().set("a", 1).set("b", -4).set("c", 3);
        Reference reset = new Reference();
        Map<String, Integer> weights = Map.of("a", 5, "b", 1, "c", 3);
        assertThat(continued).isEqualTo(kept.picks(weights, 9)).isNotEqualTo(reset.picks(weights, 9));
    }

    @Test
    void aReplacedEndpointObjectKeepsItsCounter() {
        TestEndpoint a = TestEndpoint.of("10.0.0.1:7420").weight(5);
        TestEndpoint b = TestEndpoint.of("10.0.0.2:7420").weight(1);
        TestEndpoint c = TestEndpoint.of("10.0.0.3:7420").weight(1);
        LoadBalancer.Selector first = selector(List.of(a, b, c));
        assertThat(sequence(first, Map.of(a, "a", b, "b", c, "c"), 3)).isEqualTo("aab");

        TestEndpoint b2 = b.copy();
        TestEndpoint c2 = c.copy();
        LoadBalancer.Selector second = rr.newSelector(call.service(), List.of(a, b2, c2), first);
        assertThat(sequence(second, Map.of(a, "a", b2, "b", c2, "c"), 4)).isEqualTo("acaa");
    }

    /** c leaves and comes back (a reconnect): its counter waited for it, and the cycle goes on. */
    @Test
    void aNodeThatComesBackSoonFindsItsCounter() {
        TestEndpoint a = TestEndpoint.of("10.0.0.1:7420").weight(5);
        TestEndpoint b = TestEndpoint.of("10.0.0.2:7420").weight(1);
        TestEndpoint c = TestEndpoint.of("10.0.0.3:7420").weight(1);
        Map<Endpoint, String> names = Map.of(a, "a", b, "b", c, "c");
        LoadBalancer.Selector first = selector(List.of(a, b, c));
        assertThat(sequence(first, names, 3)).isEqualTo("aab"); // counters now a=1, b=-4, c=3
        LoadBalancer.Selector without = rr.newSelector(call.service(), List.of(a, b), first);
        context.advance(Duration.ofSeconds(5));
        LoadBalancer.Selector back = rr.newSelector(call.service(), List.of(a, b, c), without);
        assertThat(sequence(back, names, 4)).isEqualTo("acaa");
    }

    @Test
    void servicesHaveCountersOfTheirOwn() {
        TestEndpoint a = TestEndpoint.of("10.0.0.1:7420").weight(5);
        TestEndpoint b = TestEndpoint.of("10.0.0.2:7420").weight(1);
        TestEndpoint c = TestEndpoint.of("10.0.0.3:7420").weight(1);
        Map<Endpoint, String> names = Map.of(a, "a", b, "b", c, "c");
        Invocation other = TestInvocation.builder(TestInvocation.SampleService.class, "ping")
                .service("other")
                .build();
        LoadBalancer.Selector mine = selector(List.of(a, b, c));
        LoadBalancer.Selector theirs = rr.newSelector(other.service(), List.of(a, b, c), null);
        StringBuilder first = new StringBuilder();
        StringBuilder second = new StringBuilder();
        for (int i = 0; i < 7; i++) {
            first.append(names.get(pick(mine, call)));
            second.append(names.get(pick(theirs, other)));
        }
        assertThat(first).hasToString("aabacaa");
        assertThat(second).hasToString("aabacaa");
    }

    @Test
    void zeroWeightTakesNoTrafficWhileOthersHaveWeight() {
        TestEndpoint live = TestEndpoint.of("10.0.0.1:7420").weight(1);
        TestEndpoint drained = TestEndpoint.of("10.0.0.2:7420").weight(0);
        LoadBalancer.Selector selector = selector(List.of(drained, live));
        for (int i = 0; i < 100; i++) {
            assertThat(pick(selector, call)).isSameAs(live);
        }
    }

    /** A retry leaves the failed node out: the others share the picks by weight, the failed node's counter stands still. */
    @Test
    void excludedNodesTakePartInNothing() {
        TestEndpoint a = TestEndpoint.of("10.0.0.1:7420").weight(5);
        TestEndpoint b = TestEndpoint.of("10.0.0.2:7420").weight(1);
        TestEndpoint c = TestEndpoint.of("10.0.0.3:7420").weight(1);
        Map<Endpoint, String> names = Map.of(a, "a", b, "b", c, "c");
        LoadBalancer.Selector selector = selector(List.of(a, b, c));
        assertThat(sequence(selector, names, 3)).isEqualTo("aab");
        StringBuilder retries = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            retries.append(names.get(selector.select(TestInvocation.callContext(call), call, List.of(a))));
        }
        // b and c alone, from b=-4 and c=3; a's counter stands still at 1
        Reference reference = new Reference().set("a", 1).set("b", -4).set("c", 3);
        assertThat(retries).hasToString(reference.picks(Map.of("b", 1, "c", 1), 6));
        assertThat(sequence(selector, names, 4)).isEqualTo(reference.picks(Map.of("a", 5, "b", 1, "c", 1), 4));
    }

    @Test
    void countersOfAddressesThatLeftAreRecycled() {
        TestEndpoint a = TestEndpoint.of("10.0.0.1:7420");
        TestEndpoint b = TestEndpoint.of("10.0.0.2:7420");
        LoadBalancer.Selector selector = null;
        for (int i = 0; i < 1_000; i++) {
            // A third node that is replaced by a new address every second, e.g. pods being rescheduled.
            TestEndpoint churn = TestEndpoint.of("10.1." + i / 250 + '.' + (i % 250 + 1) + ":7420");
            selector = rr.newSelector(call.service(), List.of(a, b, churn), selector);
            pick(selector, call);
            context.advance(Duration.ofSeconds(1));
        }
        // a, b and the addresses seen in the last RECYCLE period (60 s) plus one rebuild's slack
        assertThat(((SmoothWeightedRoundRobin.RoundRobinSelector) selector).counters.trackedAddresses())
                .isBetween(3, 2 + 62);
    }

    /** Racing callers may reorder turns, but every pick adds and removes the same total: shares hold. */
    @Test
    void concurrentCallersGetTheWeightedShares() throws Exception {
        TestEndpoint[] e = {
            TestEndpoint.of("10.0.0.1:1").weight(5),
            TestEndpoint.of("10.0.0.2:1").weight(1),
            TestEndpoint.of("10.0.0.3:1").weight(1)
        };
        LoadBalancer.Selector selector = selector(List.of(e));
        AtomicIntegerArray counts = new AtomicIntegerArray(3);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 35_000; i++) {
                        Endpoint chosen = pick(selector, call);
                        counts.incrementAndGet(chosen == e[0] ? 0 : chosen == e[1] ? 1 : 2);
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        double total = 140_000;
        assertThat(counts.get(0) / total).isCloseTo(5 / 7.0, Offset.offset(0.01));
        assertThat(counts.get(1) / total).isCloseTo(1 / 7.0, Offset.offset(0.01));
        assertThat(counts.get(2) / total).isCloseTo(1 / 7.0, Offset.offset(0.01));
    }

    /** A node started at t0 with weight 100 next to a warm one of weight 100, warm-up 10 minutes. */
    @Test
    void warmUpRampsTheShareLinearlyAtFixedClockPoints() {
        long t0 = context.millis();
        TestEndpoint cold = TestEndpoint.of("10.0.0.1:7420").weight(100).startTimestampMillis(t0);
        TestEndpoint warm = TestEndpoint.of("10.0.0.2:7420").weight(100); // start unknown: no warm-up
        List<Endpoint> list = List.of(cold, warm);
        // effective weight of cold: 1 + 99 × elapsed / 10m, rounded down
        int[][] points = {{0, 1}, {150, 25}, {300, 50}, {450, 75}, {600, 100}, {900, 100}};
        for (int[] p : points) {
            context.setMillis(t0 + p[0] * 1000L);
            // a service of its own per clock point: counters start at zero, so a whole cycle is exact
            Invocation inv = TestInvocation.builder(TestInvocation.SampleService.class, "ping")
                    .service("t" + p[0])
                    .build();
            LoadBalancer.Selector selector = rr.newSelector(inv.service(), list, null);
            int coldPicks = 0;
            int cycle = p[1] + 100;
            for (int i = 0; i < cycle; i++) {
                coldPicks += pick(selector, inv) == cold ? 1 : 0;
            }
            assertThat(coldPicks)
                    .as("picks of the cold node in one cycle at +%ss", p[0])
                    .isEqualTo(p[1]);
        }
    }

    /** Warm-up moves with the clock, not the candidates: one selector follows it. */
    @Test
    void oneSelectorFollowsTheWarmUpAsTheClockMoves() {
        TestEndpoint cold = TestEndpoint.of("10.0.0.1:7420").weight(100).startTimestampMillis(context.millis());
        TestEndpoint warm = TestEndpoint.of("10.0.0.2:7420").weight(100);
        LoadBalancer.Selector selector = selector(List.of(cold, warm));
        int coldPicks = 0;
        for (int i = 0; i < 101; i++) {
            coldPicks += pick(selector, call) == cold ? 1 : 0;
        }
        assertThat(coldPicks).as("one whole cycle at effective weight 1").isEqualTo(1);
        context.advance(Duration.ofMinutes(10));
        coldPicks = 0;
        for (int i = 0; i < 200; i++) {
            coldPicks += pick(selector, call) == cold ? 1 : 0;
        }
        assertThat(coldPicks).as("one whole cycle at full weight").isEqualTo(100);
    }

    @Test
    void warmupIsConfigurableAndValidated() {
        TestPluginContext off = TestPluginContext.forExtension("loadbalancer", "round-robin", Map.of("warmup", "0s"));
        SmoothWeightedRoundRobin noWarmup = started(off);
        TestEndpoint cold = TestEndpoint.of("10.0.0.1:7420").weight(3).startTimestampMillis(off.millis());
        TestEndpoint warm = TestEndpoint.of("10.0.0.2:7420").weight(3);
        LoadBalancer.Selector selector = noWarmup.newSelector(call.service(), List.of(cold, warm), null);
        int coldPicks = 0;
        for (int i = 0; i < 6; i++) {
            coldPicks += pick(selector, call) == cold ? 1 : 0;
        }
        assertThat(coldPicks).isEqualTo(3);

        assertThatThrownBy(() ->
                        started(TestPluginContext.forExtension("loadbalancer", "round-robin", Map.of("warmup", "-1s"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("loadbalancer.round-robin.warmup: '-1s'")
                .hasMessageContaining("expected");
        assertThatThrownBy(() -> started(
                        TestPluginContext.forExtension("loadbalancer", "round-robin", Map.of("warmup", "soon"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("loadbalancer.round-robin.warmup: 'soon'");
        assertThatThrownBy(() ->
                        started(TestPluginContext.forExtension("loadbalancer", "round-robin", Map.of("warm-up", "1m"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("loadbalancer.round-robin.warm-up: unknown key")
                .hasMessageContaining("loadbalancer.round-robin.warmup");
    }

    /** nginx's algorithm, written out plainly, with counters that can start anywhere; weights name the candidates. */
    private static final class Reference {
        private final Map<String, Integer> current = new LinkedHashMap<>(Map.of());

        Reference set(String name, int value) {
            current.put(name, value);
            return this;
        }

        String picks(Map<String, Integer> weights, int count) {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < count; i++) {
                String best = null;
                int total = 0;
                for (String name : List.of("a", "b", "c")) {
                    Integer w = weights.get(name);
                    if (w == null) {
                        continue; // not a candidate of this pick
                    }
                    current.merge(name, w, Integer::sum);
                    total += w;
                    if (best == null || current.get(name) > current.get(best)) {
                        best = name;
                    }
                }
                current.merge(best, -total, Integer::sum);
                out.append(best);
            }
            return out.toString();
        }
    }
}
