package io.microrpc.plugin.lb.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Invocation;
import io.microrpc.testkit.TestEndpoint;
import io.microrpc.testkit.TestInvocation;
import io.microrpc.testkit.TestPluginContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PowerOfTwoChoicesTest {

    private final PowerOfTwoChoices lb = new PowerOfTwoChoices();
    private final KernelLike kernel = new KernelLike(lb);
    private final Invocation call = TestInvocation.lookup("k");

    private int count(List<Endpoint> list, Endpoint target, int picks) {
        int hits = 0;
        for (int i = 0; i < picks; i++) {
            hits += kernel.select(list, call) == target ? 1 : 0;
        }
        return hits;
    }

    /** Two draws are distinct, so with two fast nodes and one slow, the slow one never wins a draw. */
    @Test
    void prefersFastEndpoints() {
        TestEndpoint fast1 = TestEndpoint.of("10.0.0.1:7420").latencyNanos(1_000_000);
        TestEndpoint fast2 = TestEndpoint.of("10.0.0.2:7420").latencyNanos(1_200_000);
        TestEndpoint slow = TestEndpoint.of("10.0.0.3:7420").latencyNanos(21_000_000);
        List<Endpoint> list = List.of(fast1, slow, fast2);
        assertThat(count(list, slow, 10_000)).isZero();
        // fast1 wins both of its pairs, fast2 wins one of its two: 2/3 and 1/3
        assertThat(count(list, fast1, 30_000) / 30_000.0).isCloseTo(2 / 3.0, within(0.02));
    }

    /** A retry draws its two among the candidates left: without fast1, the draw is fast2 against slow. */
    @Test
    void aRetryDrawsAmongTheCandidatesLeft() {
        TestEndpoint fast1 = TestEndpoint.of("10.0.0.1:7420").latencyNanos(1_000_000);
        TestEndpoint fast2 = TestEndpoint.of("10.0.0.2:7420").latencyNanos(1_200_000);
        TestEndpoint slow = TestEndpoint.of("10.0.0.3:7420").latencyNanos(21_000_000);
        TestEndpoint drained =
                TestEndpoint.of("10.0.0.4:7420").latencyNanos(100_000).weight(0);
        List<Endpoint> list = List.of(fast1, slow, fast2);
        List<Endpoint> withDrained = List.of(fast1, slow, drained, fast2);
        for (int i = 0; i < 1_000; i++) {
            assertThat(kernel.select(list, call, List.of(fast1))).isSameAs(fast2);
            assertThat(kernel.select(list, call, List.of(fast1, fast2))).isSameAs(slow);
        }
        for (int i = 0; i < 1_000; i++) {
            assertThat(kernel.select(withDrained, call, List.of(fast1, fast2))).isSameAs(slow);
            assertThat(kernel.select(withDrained, call, List.of(fast1, fast2, slow)))
                    .isSameAs(drained);
        }
    }

    @Test
    void callsInFlightMakeAFastNodeExpensive() {
        TestEndpoint fastBusy =
                TestEndpoint.of("10.0.0.1:7420").peakEwmaNanos(1_000_000).inFlight(30); // 31 ms
        TestEndpoint slowIdle =
                TestEndpoint.of("10.0.0.2:7420").peakEwmaNanos(20_000_000).inFlight(0); // 20 ms
        assertThat(count(List.of(fastBusy, slowIdle), slowIdle, 100)).isEqualTo(100);
    }

    @Test
    void usesThePeakNotTheAverage() {
        TestEndpoint spiky =
                TestEndpoint.of("10.0.0.1:7420").latencyEwmaNanos(1_000_000).peakEwmaNanos(30_000_000);
        TestEndpoint steady =
                TestEndpoint.of("10.0.0.2:7420").latencyEwmaNanos(5_000_000).peakEwmaNanos(5_000_000);
        assertThat(count(List.of(spiky, steady), steady, 100)).isEqualTo(100);
    }

    /** Among ten measured nodes a new, idle one wins every draw it is in: 1 − C(9,2)/C(10,2) = 20%. */
    @Test
    void probesAnUnmeasuredIdleNode() {
        List<Endpoint> list = new ArrayList<>();
        for (TestEndpoint e : TestEndpoint.many(9)) {
            list.add(e.latencyNanos(500_000));
        }
        TestEndpoint fresh = TestEndpoint.of("10.9.9.9:7420");
        list.add(fresh);
        int picks = 50_000;
        assertThat(count(list, fresh, picks) / (double) picks).isCloseTo(0.2, within(5 * Math.sqrt(0.16 / picks)));

        fresh.inFlight(2); // calls sent, no answer yet: it waits for its first measurement
        assertThat(count(list, fresh, 10_000)).isZero();
    }

    /**
     * A node whose peak spiked once and that then got no calls keeps its figure in the kernel; p2c
     * decays it as it goes stale (τ = 10 s), so the node is tried again instead of starved for good.
     */
    @Test
    void aNodeThatSpikedOnceIsTriedAgainOnceItsFigureIsStale() {
        TestPluginContext context = TestPluginContext.empty();
        lb.start(context);
        TestEndpoint spiked = TestEndpoint.of("10.0.0.1:7420").peakEwmaNanos(40_000_000);
        TestEndpoint steady = TestEndpoint.of("10.0.0.2:7420").peakEwmaNanos(5_000_000);
        List<Endpoint> list = List.of(spiked, steady);
        assertThat(count(list, spiked, 100)).isZero();
        for (int seconds : new int[] {10, 10, 10}) {
            context.advance(Duration.ofSeconds(seconds));
            // the steady node keeps getting calls: its figure moves
            steady.peakEwmaNanos(steady.peakEwmaNanos() == 5_000_000 ? 5_000_001 : 5_000_000);
            int picks = count(list, spiked, 100);
            // 40 ms × e^(-t/10 s): 14.7 ms at 10 s, 5.4 ms at 20 s, 2.0 ms at 30 s
            assertThat(picks)
                    .as("picks of the spiked node after %s s more", seconds)
                    .isEqualTo(context.millis() - TestPluginContext.START_MILLIS >= 30_000 ? 100 : 0);
        }
    }

    @Test
    void zeroWeightLosesEveryDraw() {
        TestEndpoint drained1 = TestEndpoint.of("10.0.0.1:7420").weight(0);
        TestEndpoint drained2 = TestEndpoint.of("10.0.0.2:7420").weight(0);
        TestEndpoint live =
                TestEndpoint.of("10.0.0.3:7420").latencyNanos(50_000_000).inFlight(10);
        assertThat(count(List.of(drained1, live, drained2), live, 1_000)).isEqualTo(1_000);
    }

    @Test
    void steersAwayFromASlowNodeInAClosedLoop() {
        int[] received = ClosedLoop.run(lb, new int[] {1, 1, 20}, 12, 5_000);
        double slow = ClosedLoop.share(received, 2);
        System.out.printf(
                "p2c, service times 1/1/20 ms, 12 callers: %s, slow node share %.1f%%%n",
                Arrays.toString(received), slow * 100);
        assertThat(slow).isLessThan(0.05);
    }
}
