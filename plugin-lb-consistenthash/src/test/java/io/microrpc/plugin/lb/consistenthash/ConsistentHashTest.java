package io.microrpc.plugin.lb.consistenthash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.microrpc.spi.ClientRequestContext;
import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.LoadBalancer;
import io.microrpc.testkit.TestEndpoint;
import io.microrpc.testkit.TestInvocation;
import io.microrpc.testkit.TestInvocation.SampleService;
import io.microrpc.testkit.TestPluginContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConsistentHashTest {

    private static final String SERVICE = SampleService.class.getName();
    private static final int KEYS = 10_000;

    private static ConsistentHash started(Map<String, String> config) {
        ConsistentHash lb = new ConsistentHash();
        lb.start(TestPluginContext.forExtension("loadbalancer", "consistent-hash", config));
        return lb;
    }

    private final ConsistentHash lb = started(Map.of());

    /** Address each of the 10,000 keys maps to, through one selector for {@code candidates}. */
    private String[] map(ConsistentHash balancer, List<Endpoint> candidates) {
        return map(balancer.newSelector(SERVICE, candidates, null), List.of());
    }

    private static String[] map(LoadBalancer.Selector selector, Collection<Endpoint> excluded) {
        String[] out = new String[KEYS];
        for (int k = 0; k < KEYS; k++) {
            Invocation call = TestInvocation.lookup("user-" + k);
            out[k] = selector.select(TestInvocation.callContext(call), call, excluded)
                    .address();
        }
        return out;
    }

    /** One pick by a new selector of {@code balancer} for {@code candidates}. */
    private static Endpoint select(ConsistentHash balancer, List<Endpoint> candidates, Invocation call) {
        return balancer.newSelector(SERVICE, candidates, null)
                .select(TestInvocation.callContext(call), call, List.of());
    }

    @Test
    void aKeyStaysOnItsEndpointWhateverTheOrderOrTheEndpointObjects() {
        List<Endpoint> list = new ArrayList<>(Arrays.asList(TestEndpoint.many(8)));
        String[] before = map(lb, list);
        Collections.shuffle(list, new Random(1));
        List<Endpoint> copies = new ArrayList<>();
        for (Endpoint e : list) {
            copies.add(((TestEndpoint) e).copy());
        }
        assertThat(map(lb, list)).containsExactly(before);
        assertThat(map(started(Map.of()), copies))
                .as("another process, same addresses")
                .containsExactly(before);
    }

    @Test
    void removingOneOfTenEndpointsRemapsOnlyItsKeys() {
        List<Endpoint> ten = List.of(TestEndpoint.many(10));
        String[] before = map(lb, ten);
        Endpoint removed = ten.get(3);
        List<Endpoint> nine = new ArrayList<>(ten);
        nine.remove(removed);
        String[] after = map(lb, nine);
        int moved = 0;
        for (int k = 0; k < KEYS; k++) {
            if (!before[k].equals(after[k])) {
                moved++;
                assertThat(before[k])
                        .as("key %s moved though its endpoint stayed", k)
                        .isEqualTo(removed.address());
            }
        }
        double fraction = moved / (double) KEYS;
        System.out.printf(
                "consistent-hash: removing 1 of 10 endpoints remapped %.2f%% of %d keys (1/N = 10%%)%n",
                fraction * 100, KEYS);
        assertThat(fraction).isGreaterThan(0).isLessThanOrEqualTo(0.10 * 1.5);
    }

    @Test
    void addingAnEleventhEndpointRemapsOnlyKeysToIt() {
        TestEndpoint[] eleven = TestEndpoint.many(11);
        List<Endpoint> ten = List.of(Arrays.copyOf(eleven, 10));
        String[] before = map(lb, ten);
        String[] after = map(lb, List.of(eleven));
        int moved = 0;
        for (int k = 0; k < KEYS; k++) {
            if (!before[k].equals(after[k])) {
                moved++;
                assertThat(after[k]).as("key %s moved to an old endpoint", k).isEqualTo(eleven[10].address());
            }
        }
        double fraction = moved / (double) KEYS;
        System.out.printf(
                "consistent-hash: adding an 11th endpoint remapped %.2f%% of %d keys (1/N = 9.09%%)%n",
                fraction * 100, KEYS);
        assertThat(fraction).isGreaterThan(0).isLessThanOrEqualTo(1 / 11.0 * 1.5);
    }

    @Test
    void keysSpreadEvenlyOverTheEndpoints() {
        List<Endpoint> ten = List.of(TestEndpoint.many(10));
        Map<String, Integer> counts = new HashMap<>();
        for (String address : map(lb, ten)) {
            counts.merge(address, 1, Integer::sum);
        }
        int max = Collections.max(counts.values());
        int min = Collections.min(counts.values());
        System.out.printf(
                "consistent-hash: %d keys over 10 endpoints, 160 virtual nodes: min %d, max %d (mean %d)%n",
                KEYS, min, max, KEYS / 10);
        assertThat(counts).hasSize(10);
        assertThat(max).isLessThan(KEYS / 10 * 13 / 10);
        assertThat(min).isGreaterThan(KEYS / 10 * 7 / 10);
    }

    @Test
    void theKeyIsChosenPerMethod() {
        ConsistentHash configured = started(Map.of(
                "key." + SERVICE + "/query", "attachment:tenant",
                "key." + SERVICE + "/find", "arg:0"));
        List<Endpoint> list = List.of(TestEndpoint.many(16));
        // attachment: the tenant decides, not the arguments
        Endpoint acme = select(configured, list, query("acme", "x", 1));
        for (int id = 0; id < 200; id++) {
            assertThat(select(configured, list, query("acme", "other-" + id, id)))
                    .isSameAs(acme);
        }
        // a non-string argument hashes by its toString
        assertThat(select(configured, list, TestInvocation.of(SampleService.class, "find", 42L)))
                .isSameAs(select(configured, list, TestInvocation.of(SampleService.class, "find", 42L)));
        // unconfigured methods: the first argument, or the method name
        assertThat(select(configured, list, TestInvocation.lookup("user-1")))
                .isSameAs(select(lb, list, TestInvocation.lookup("user-1")));
        Invocation ping = TestInvocation.of(SampleService.class, "ping");
        assertThat(select(configured, list, ping))
                .isSameAs(select(configured, list, TestInvocation.of(SampleService.class, "ping")));
    }

    @Test
    void severalArgumentsMakeOneKey() {
        ConsistentHash byBoth = started(Map.of("key." + SERVICE + "/query", "arg:0,1"));
        ConsistentHash byId = started(Map.of("key." + SERVICE + "/query", "arg:1"));
        List<Endpoint> list = List.of(TestEndpoint.many(32));
        int differentNodes = 0;
        for (int id = 0; id < 100; id++) {
            Endpoint both = select(byBoth, list, query("t", "t", id));
            assertThat(select(byBoth, list, query("t", "t", id))).isSameAs(both);
            differentNodes += both != select(byId, list, query("t", "t", id)) ? 1 : 0;
        }
        assertThat(differentNodes)
                .as("(tenant, id) and (id) are different keys")
                .isGreaterThan(50);
    }

    @Test
    void aMissingAttachmentIsTheEmptyKey() {
        ConsistentHash byTenant = started(Map.of("key." + SERVICE + "/query", "attachment:tenant"));
        List<Endpoint> list = List.of(TestEndpoint.many(16));
        Invocation none = TestInvocation.of(SampleService.class, "query", "a", 1L);
        Invocation empty = TestInvocation.builder(SampleService.class, "query")
                .args("b", 2L)
                .attachment("tenant", "")
                .build();
        assertThat(select(byTenant, list, none)).isSameAs(select(byTenant, list, empty));
    }

    @Test
    void anArgumentIndexBeyondTheMethodsArgumentsFailsNamingTheKey() {
        ConsistentHash wrong = started(Map.of("key." + SERVICE + "/lookup", "arg:2"));
        assertThatThrownBy(() -> select(wrong, List.of(TestEndpoint.many(3)), TestInvocation.lookup("k")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("loadbalancer.consistent-hash.key." + SERVICE
                        + "/lookup: argument 2 (expected: an index below 1, " + "the number of arguments of " + SERVICE
                        + "/lookup)");
    }

    @Test
    void badConfigurationIsRefusedAtStartWithTheKeyAndTheExpectation() {
        assertThatThrownBy(() -> started(Map.of("virtual-nodes", "0")))
                .hasMessage("loadbalancer.consistent-hash.virtual-nodes: '0' (expected: 1-10000)");
        assertThatThrownBy(() -> started(Map.of("virtual-nodes", "many")))
                .hasMessageContaining("loadbalancer.consistent-hash.virtual-nodes: 'many'");
        assertThatThrownBy(() -> started(Map.of("bounded-load-factor", "0.5")))
                .hasMessage("loadbalancer.consistent-hash.bounded-load-factor: '0.5' (expected: 0 for off, or a number "
                        + "from 1.0 to 1000 such as 1.25)");
        assertThatThrownBy(() -> started(Map.of("key.a.B/m", "arg:x")))
                .hasMessage("loadbalancer.consistent-hash.key.a.B/m: 'arg:x' (expected: arg:<index>[,<index>...] with "
                        + "indexes >= 0, or attachment:<name>)");
        assertThatThrownBy(() -> started(Map.of("key.a.B/m", "header:x"))).hasMessageContaining("'header:x'");
        assertThatThrownBy(() -> started(Map.of("key.a.B", "arg:0"))).hasMessageContaining("key.a.B: unknown key");
        assertThatThrownBy(() -> started(Map.of("virtual-node", "100")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("loadbalancer.consistent-hash.virtual-node: unknown key (expected: "
                        + "loadbalancer.consistent-hash.virtual-nodes, ");
    }

    @Test
    void fewerVirtualNodesStillMapEveryKeyToACandidate() {
        ConsistentHash one = started(Map.of("virtual-nodes", "1"));
        ConsistentHash odd = started(Map.of("virtual-nodes", "7"));
        List<Endpoint> list = List.of(TestEndpoint.many(5));
        LoadBalancer.Selector withOne = one.newSelector(SERVICE, list, null);
        LoadBalancer.Selector withSeven = odd.newSelector(SERVICE, list, null);
        for (int k = 0; k < 1_000; k++) {
            Invocation call = TestInvocation.lookup("k" + k);
            ClientRequestContext context = TestInvocation.callContext(call);
            assertThat(list)
                    .contains(withOne.select(context, call, List.of()), withSeven.select(context, call, List.of()));
        }
    }

    @Test
    void zeroWeightEndpointsOwnNoKeysUntilTheyHaveWeightAgain() {
        TestEndpoint[] five = TestEndpoint.many(5);
        List<Endpoint> list = List.of(five);
        String[] before = map(lb, list);
        five[2].weight(0);
        String[] drained = map(lb, list);
        assertThat(drained).doesNotContain(five[2].address());
        five[2].weight(100);
        assertThat(map(lb, list)).containsExactly(before);
    }

    /** 50 calls of one hot key in flight over 5 endpoints: without a bound all on one node, with c = 1.25 at most 13 each. */
    @Test
    void boundedLoadSpreadsAHotKey() {
        for (String factor : List.of("0", "1.25")) {
            ConsistentHash balancer = started(Map.of("bounded-load-factor", factor));
            TestEndpoint[] five = TestEndpoint.many(5);
            LoadBalancer.Selector selector = balancer.newSelector(SERVICE, List.of(five), null);
            Invocation hot = TestInvocation.lookup("celebrity");
            for (int i = 0; i < 50; i++) {
                TestEndpoint chosen = (TestEndpoint) selector.select(TestInvocation.callContext(hot), hot, List.of());
                chosen.inFlight(chosen.inFlight() + 1);
            }
            int max = Arrays.stream(five).mapToInt(TestEndpoint::inFlight).max().orElseThrow();
            System.out.printf(
                    "consistent-hash, bounded-load-factor %s: 50 calls of one key in flight, per node %s%n",
                    factor,
                    Arrays.stream(five).map(e -> String.valueOf(e.inFlight())).toList());
            assertThat(max).isEqualTo(factor.equals("0") ? 50 : 13);
        }
    }

    @Test
    void boundedLoadSkipsAnOverloadedPrimaryAndWalksToTheNextNode() {
        ConsistentHash balancer = started(Map.of("bounded-load-factor", "1.25"));
        List<Endpoint> list = List.of(TestEndpoint.many(5));
        Invocation call = TestInvocation.lookup("user-7");
        TestEndpoint primary = (TestEndpoint) select(balancer, list, call);
        primary.inFlight(10); // capacity: ceil(1.25 × 11 / 5) = 3
        Endpoint next = select(balancer, list, call);
        assertThat(next).isNotSameAs(primary);
        assertThat(select(balancer, list, call)).as("the walk is deterministic").isSameAs(next);
        primary.inFlight(0);
        assertThat(select(balancer, list, call)).isSameAs(primary);
    }

    /**
     * A retry walks on past the failed node to the one the key would have without it: for every key,
     * the same node as a ring of the others gives, so a retry moves only the failed node's keys.
     */
    @Test
    void aRetryGoesWhereTheKeyWouldGoWithoutTheExcludedNodes() {
        List<Endpoint> ten = List.of(TestEndpoint.many(10));
        LoadBalancer.Selector all = lb.newSelector(SERVICE, ten, null);
        for (List<Endpoint> failed : List.of(List.of(ten.get(3)), List.of(ten.get(3), ten.get(7)))) {
            List<Endpoint> rest = new ArrayList<>(ten);
            rest.removeAll(failed);
            assertThat(map(all, failed))
                    .as("keys with %s excluded", failed)
                    .containsExactly(map(lb, List.copyOf(rest)));
        }
    }

    /** With bounded load, a retry also skips the excluded, and counts capacity over the nodes left. */
    @Test
    void boundedLoadOnARetrySkipsTheExcluded() {
        ConsistentHash balancer = started(Map.of("bounded-load-factor", "1.25"));
        TestEndpoint[] five = TestEndpoint.many(5);
        LoadBalancer.Selector selector = balancer.newSelector(SERVICE, List.of(five), null);
        Invocation hot = TestInvocation.lookup("celebrity");
        TestEndpoint primary = (TestEndpoint) selector.select(TestInvocation.callContext(hot), hot, List.of());
        for (int i = 0; i < 40; i++) {
            TestEndpoint chosen =
                    (TestEndpoint) selector.select(TestInvocation.callContext(hot), hot, List.of(primary));
            assertThat(chosen).isNotSameAs(primary);
            chosen.inFlight(chosen.inFlight() + 1);
        }
        System.out.printf(
                "consistent-hash, bounded-load-factor 1.25: 40 retries of one key with its node excluded, per node %s%n",
                Arrays.stream(five).map(e -> String.valueOf(e.inFlight())).toList());
        // four nodes left: at most ceil(1.25 × 40 / 4) = 13 each
        assertThat(Arrays.stream(five).mapToInt(TestEndpoint::inFlight).max().orElseThrow())
                .isLessThanOrEqualTo(13);
    }

    private static Invocation query(String tenant, String firstArg, long id) {
        return TestInvocation.builder(SampleService.class, "query")
                .args(firstArg, id)
                .attachment("tenant", tenant)
                .build();
    }
}
