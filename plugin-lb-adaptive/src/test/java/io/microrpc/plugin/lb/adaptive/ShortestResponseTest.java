package io.microrpc.plugin.lb.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Invocation;
import io.microrpc.testkit.TestEndpoint;
import io.microrpc.testkit.TestInvocation;
import io.microrpc.testkit.TestPluginContext;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShortestResponseTest {

    private final ShortestResponse lb = new ShortestResponse();
    private final KernelLike kernel = new KernelLike(lb);
    private final Invocation call = TestInvocation.lookup("k");

    @Test
    void picksTheLowestLatencyTimesCallsInFlight() {
        TestEndpoint slowIdle =
                TestEndpoint.of("10.0.0.1:7420").latencyEwmaNanos(10_000_000).inFlight(0); // 10 ms
        TestEndpoint fastBusy =
                TestEndpoint.of("10.0.0.2:7420").latencyEwmaNanos(2_000_000).inFlight(9); // 20 ms
        TestEndpoint fastIdle =
                TestEndpoint.of("10.0.0.3:7420").latencyEwmaNanos(2_000_000).inFlight(3); // 8 ms
        assertThat(kernel.select(List.of(slowIdle, fastBusy), call)).isSameAs(slowIdle);
        assertThat(kernel.select(List.of(slowIdle, fastBusy, fastIdle), call)).isSameAs(fastIdle);
    }

    @Test
    void breaksTiesUniformly() {
        TestEndpoint a =
                TestEndpoint.of("10.0.0.1:7420").latencyEwmaNanos(1_000_000).inFlight(1);
        TestEndpoint b =
                TestEndpoint.of("10.0.0.2:7420").latencyEwmaNanos(2_000_000).inFlight(0);
        TestEndpoint c =
                TestEndpoint.of("10.0.0.3:7420").latencyEwmaNanos(3_000_000).inFlight(0);
        int picks = 30_000;
        int aPicks = 0;
        for (int i = 0; i < picks; i++) {
            Endpoint chosen = kernel.select(List.of(a, b, c), call);
            assertThat(chosen).isNotSameAs(c);
            aPicks += chosen == a ? 1 : 0;
        }
        assertThat(aPicks / (double) picks).isCloseTo(0.5, within(5 * Math.sqrt(0.25 / picks)));
    }

    @Test
    void probesAnUnmeasuredIdleNodeButNotAnUnmeasuredBusyOne() {
        TestEndpoint measured =
                TestEndpoint.of("10.0.0.1:7420").latencyEwmaNanos(100_000).inFlight(0);
        TestEndpoint fresh = TestEndpoint.of("10.0.0.2:7420");
        assertThat(kernel.select(List.of(measured, fresh), call)).isSameAs(fresh);
        fresh.inFlight(1); // sent one, no answer yet
        assertThat(kernel.select(List.of(measured, fresh), call)).isSameAs(measured);
    }

    @Test
    void aNodeThatLookedSlowOnceIsTriedAgainOnceItsFigureIsStale() {
        TestPluginContext context = TestPluginContext.empty();
        lb.start(context);
        TestEndpoint once = TestEndpoint.of("10.0.0.1:7420").latencyEwmaNanos(40_000_000);
        TestEndpoint steady = TestEndpoint.of("10.0.0.2:7420").latencyEwmaNanos(5_000_000);
        assertThat(kernel.select(List.of(once, steady), call)).isSameAs(steady);
        context.advance(Duration.ofSeconds(30));
        steady.latencyEwmaNanos(5_000_001);
        assertThat(kernel.select(List.of(once, steady), call))
                .as("40 ms × e^-3 = 2 ms")
                .isSameAs(once);
    }

    /** The observations go on in the next selector: a new node joining does not make old figures fresh. */
    @Test
    void aStaleFigureStaysStaleWhenTheCandidatesChange() {
        TestPluginContext context = TestPluginContext.empty();
        lb.start(context);
        TestEndpoint once = TestEndpoint.of("10.0.0.1:7420").latencyEwmaNanos(40_000_000);
        TestEndpoint steady = TestEndpoint.of("10.0.0.2:7420").latencyEwmaNanos(5_000_000);
        assertThat(kernel.select(List.of(once, steady), call)).isSameAs(steady);
        context.advance(Duration.ofSeconds(30));
        steady.latencyEwmaNanos(5_000_001);
        TestEndpoint joined = TestEndpoint.of("10.0.0.3:7420").latencyEwmaNanos(50_000_000);
        assertThat(kernel.select(List.of(joined, once, steady), call))
                .as("40 ms × e^-3 = 2 ms, stale since the first selector")
                .isSameAs(once);
    }

    @Test
    void aRetryTakesTheBestOfTheCandidatesLeft() {
        TestEndpoint best = TestEndpoint.of("10.0.0.1:7420").latencyEwmaNanos(1_000_000);
        TestEndpoint second = TestEndpoint.of("10.0.0.2:7420").latencyEwmaNanos(2_000_000);
        TestEndpoint drained =
                TestEndpoint.of("10.0.0.3:7420").latencyEwmaNanos(500_000).weight(0);
        List<Endpoint> list = List.of(best, second, drained);
        assertThat(kernel.select(list, call)).isSameAs(best);
        assertThat(kernel.select(list, call, List.of(best))).isSameAs(second);
        assertThat(kernel.select(list, call, List.of(best, second))).isSameAs(drained);
    }

    @Test
    void steersAwayFromASlowNodeInAClosedLoop() {
        int[] received = ClosedLoop.run(lb, new int[] {1, 1, 20}, 12, 5_000);
        double slow = ClosedLoop.share(received, 2);
        System.out.printf(
                "shortest-response, service times 1/1/20 ms, 12 callers: %s, slow node share %.1f%%%n",
                Arrays.toString(received), slow * 100);
        assertThat(slow).isLessThan(0.05);
    }
}
