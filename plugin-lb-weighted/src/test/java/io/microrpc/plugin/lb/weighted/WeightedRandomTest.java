package io.microrpc.plugin.lb.weighted;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.LoadBalancer;
import io.microrpc.testkit.TestEndpoint;
import io.microrpc.testkit.TestInvocation;
import io.microrpc.testkit.TestPluginContext;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WeightedRandomTest {

    /** χ² with 3 degrees of freedom exceeds this with probability 10⁻⁶: the test does not flake. */
    private static final double CHI_SQUARE_3_DOF_P_1E6 = 30.66;

    private final TestPluginContext context = TestPluginContext.forExtension("loadbalancer", "random", Map.of());
    private final WeightedRandom random = new WeightedRandom();
    private final Invocation call = TestInvocation.lookup("k");

    WeightedRandomTest() {
        random.start(context);
    }

    private int[] counts(List<Endpoint> candidates, int picks) {
        return counts(random.newSelector(call.service(), candidates, null), candidates, picks, List.of());
    }

    private int[] counts(
            LoadBalancer.Selector selector, List<Endpoint> candidates, int picks, List<Endpoint> excluded) {
        int[] counts = new int[candidates.size()];
        for (int i = 0; i < picks; i++) {
            counts[candidates.indexOf(selector.select(TestInvocation.callContext(call), call, excluded))]++;
        }
        return counts;
    }

    @Test
    void sharesFollowTheWeightsWithinStatisticalBoundsOver100kPicks() {
        int[] weights = {1, 2, 3, 4};
        List<Endpoint> list = List.of(
                TestEndpoint.of("10.0.0.1:1").weight(1),
                TestEndpoint.of("10.0.0.2:1").weight(2),
                TestEndpoint.of("10.0.0.3:1").weight(3),
                TestEndpoint.of("10.0.0.4:1").weight(4));
        int picks = 100_000;
        int[] counts = counts(list, picks);
        double chiSquare = 0;
        for (int i = 0; i < weights.length; i++) {
            double expected = picks * weights[i] / 10.0;
            chiSquare += (counts[i] - expected) * (counts[i] - expected) / expected;
        }
        System.out.printf(
                "weighted random 1:2:3:4 over %d picks: %s, chi-square %.2f%n",
                picks, Arrays.toString(counts), chiSquare);
        assertThat(chiSquare).isLessThan(CHI_SQUARE_3_DOF_P_1E6);
    }

    @Test
    void zeroWeightTakesNoTrafficAndAWeightChangeTakesEffectAtOnce() {
        TestEndpoint a = TestEndpoint.of("10.0.0.1:7420").weight(1);
        TestEndpoint b = TestEndpoint.of("10.0.0.2:7420").weight(1);
        List<Endpoint> list = List.of(a, b);
        assertThat(counts(list, 2_000)[1]).isBetween(800, 1_200);

        // the kernel asks for a new selector when a weight changes
        b.weight(0);
        assertThat(counts(list, 2_000)[1]).isZero();
        b.weight(3);
        assertThat(counts(list, 4_000)[1]).isBetween(2_700, 3_300);
    }

    @Test
    void aRetryDrawsByWeightAmongTheCandidatesLeft() {
        TestEndpoint a = TestEndpoint.of("10.0.0.1:7420").weight(1);
        TestEndpoint b = TestEndpoint.of("10.0.0.2:7420").weight(1);
        TestEndpoint c = TestEndpoint.of("10.0.0.3:7420").weight(3);
        TestEndpoint drained = TestEndpoint.of("10.0.0.4:7420").weight(0);
        List<Endpoint> list = List.of(a, b, c, drained);
        LoadBalancer.Selector selector = random.newSelector(call.service(), list, null);
        int[] counts = counts(selector, list, 4_000, List.of(b));
        assertThat(counts[1]).isZero();
        assertThat(counts[3]).isZero();
        assertThat(counts[2]).isBetween(2_700, 3_300);
        // only weight-0 candidates left: one of them, uniformly
        assertThat(counts(selector, list, 100, List.of(a, b, c))[3]).isEqualTo(100);
    }

    /** A node started at t0 with weight 100 next to a warm one of weight 100, warm-up 10 minutes. */
    @Test
    void warmUpRampsTheShareLinearlyAtFixedClockPoints() {
        long t0 = context.millis();
        TestEndpoint cold = TestEndpoint.of("10.0.0.1:7420").weight(100).startTimestampMillis(t0);
        TestEndpoint warm = TestEndpoint.of("10.0.0.2:7420").weight(100);
        List<Endpoint> list = List.of(cold, warm);
        int[][] points = {{0, 1}, {150, 25}, {300, 50}, {600, 100}};
        for (int[] p : points) {
            context.setMillis(t0 + p[0] * 1000L);
            int picks = 100_000;
            double share = counts(list, picks)[0] / (double) picks;
            double expected = p[1] / (p[1] + 100.0);
            // ±5 standard deviations of a binomial share over 100k picks
            double tolerance = 5 * Math.sqrt(expected * (1 - expected) / picks) + 1e-4;
            assertThat(share).as("share of the cold node at +%ss", p[0]).isCloseTo(expected, within(tolerance));
        }
    }

    @Test
    void aWarmingTableIsRefreshedAsTheClockMoves() {
        long t0 = context.millis();
        TestEndpoint cold = TestEndpoint.of("10.0.0.1:7420").weight(1000).startTimestampMillis(t0);
        TestEndpoint warm = TestEndpoint.of("10.0.0.2:7420").weight(1000);
        List<Endpoint> list = List.of(cold, warm);
        LoadBalancer.Selector selector = random.newSelector(call.service(), list, null);
        assertThat(counts(selector, list, 10_000, List.of())[0]).isLessThan(60); // effective weight 1 of 1001
        context.advance(Duration.ofMinutes(10));
        assertThat(counts(selector, list, 10_000, List.of())[0]).isBetween(4_500, 5_500);
    }
}
