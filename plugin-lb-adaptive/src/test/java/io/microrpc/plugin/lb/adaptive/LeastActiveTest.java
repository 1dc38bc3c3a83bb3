package io.microrpc.plugin.lb.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Invocation;
import io.microrpc.testkit.TestEndpoint;
import io.microrpc.testkit.TestInvocation;
import io.microrpc.testkit.TestPluginContext;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LeastActiveTest {

    private final LeastActive lb = new LeastActive();
    private final KernelLike kernel = new KernelLike(lb);
    private final Invocation call = TestInvocation.lookup("k");

    @Test
    void picksTheEndpointWithFewestCallsInFlight() {
        TestEndpoint a = TestEndpoint.of("10.0.0.1:7420").inFlight(3);
        TestEndpoint b = TestEndpoint.of("10.0.0.2:7420").inFlight(0);
        TestEndpoint c = TestEndpoint.of("10.0.0.3:7420").inFlight(5);
        for (int i = 0; i < 1_000; i++) {
            assertThat(kernel.select(List.of(a, b, c), call)).isSameAs(b);
        }
        b.inFlight(4);
        assertThat(kernel.select(List.of(a, b, c), call)).isSameAs(a);
    }

    @Test
    void breaksTiesByWeight() {
        TestEndpoint light = TestEndpoint.of("10.0.0.1:7420").weight(100).inFlight(1);
        TestEndpoint heavy = TestEndpoint.of("10.0.0.2:7420").weight(300).inFlight(1);
        TestEndpoint busy = TestEndpoint.of("10.0.0.3:7420").weight(1000).inFlight(2);
        List<Endpoint> list = List.of(light, busy, heavy);
        int picks = 100_000;
        int heavyPicks = 0;
        for (int i = 0; i < picks; i++) {
            Endpoint chosen = kernel.select(list, call);
            assertThat(chosen).isNotSameAs(busy);
            heavyPicks += chosen == heavy ? 1 : 0;
        }
        assertThat(heavyPicks / (double) picks).isCloseTo(0.75, within(5 * Math.sqrt(0.75 * 0.25 / picks)));
    }

    @Test
    void zeroWeightTakesNoTrafficEvenWhenIdle() {
        TestEndpoint drained = TestEndpoint.of("10.0.0.1:7420").weight(0).inFlight(0);
        TestEndpoint live = TestEndpoint.of("10.0.0.2:7420").weight(10).inFlight(50);
        for (int i = 0; i < 100; i++) {
            assertThat(kernel.select(List.of(drained, live), call)).isSameAs(live);
        }
    }

    @Test
    void aRetryTakesTheLeastActiveOfTheCandidatesLeft() {
        TestEndpoint idle = TestEndpoint.of("10.0.0.1:7420").inFlight(0);
        TestEndpoint calm = TestEndpoint.of("10.0.0.2:7420").inFlight(2);
        TestEndpoint busy = TestEndpoint.of("10.0.0.3:7420").inFlight(9);
        TestEndpoint drained = TestEndpoint.of("10.0.0.4:7420").inFlight(0).weight(0);
        List<Endpoint> list = List.of(idle, calm, busy, drained);
        for (int i = 0; i < 100; i++) {
            assertThat(kernel.select(list, call, List.of(idle))).isSameAs(calm);
            assertThat(kernel.select(list, call, Set.of(idle, calm))).isSameAs(busy);
            assertThat(kernel.select(list, call, List.of(idle, calm, busy))).isSameAs(drained);
        }
    }

    /** One node 20× slower than two others, 12 callers in a closed loop: in-flight counts steer calls away. */
    @Test
    void steersAwayFromASlowNodeInAClosedLoop() {
        int[] received = ClosedLoop.run(lb, new int[] {1, 1, 20}, 12, 5_000);
        double slow = ClosedLoop.share(received, 2);
        System.out.printf(
                "least-active, service times 1/1/20 ms, 12 callers: %s, slow node share %.1f%%%n",
                Arrays.toString(received), slow * 100);
        assertThat(slow).isLessThan(0.10);
    }

    @Test
    void refusesConfigurationKeys() {
        assertThatThrownBy(() ->
                        lb.start(TestPluginContext.forExtension("loadbalancer", "least-active", Map.of("x", "1"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "loadbalancer.least-active.x: unknown key (expected: none; this extension has no settings)");
    }
}
