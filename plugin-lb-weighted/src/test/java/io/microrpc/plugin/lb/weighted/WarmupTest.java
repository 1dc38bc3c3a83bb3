package io.microrpc.plugin.lb.weighted;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.microrpc.spi.PluginConfig;
import io.microrpc.testkit.TestEndpoint;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WarmupTest {

    private static final long T0 = 1_700_000_000_000L;
    private final Warmup tenMinutes = Warmup.of(Duration.ofMinutes(10));

    @Test
    void rampsLinearlyFromOneToTheWeight() {
        TestEndpoint e = TestEndpoint.of("10.0.0.1:7420").weight(101).startTimestampMillis(T0);
        assertThat(tenMinutes.effectiveWeight(e, T0)).isEqualTo(1);
        assertThat(tenMinutes.effectiveWeight(e, T0 + 60_000)).isEqualTo(11);
        assertThat(tenMinutes.effectiveWeight(e, T0 + 300_000)).isEqualTo(51);
        assertThat(tenMinutes.effectiveWeight(e, T0 + 599_999)).isEqualTo(100);
        assertThat(tenMinutes.effectiveWeight(e, T0 + 600_000)).isEqualTo(101);
        assertThat(tenMinutes.isWarming(e, T0 + 599_999)).isTrue();
        assertThat(tenMinutes.isWarming(e, T0 + 600_000)).isFalse();
    }

    @Test
    void unknownStartSmallWeightsAndClockSkew() {
        assertThat(tenMinutes.effectiveWeight(TestEndpoint.of("10.0.0.1:1").weight(50), T0))
                .isEqualTo(50);
        assertThat(tenMinutes.effectiveWeight(
                        TestEndpoint.of("10.0.0.1:1").weight(0).startTimestampMillis(T0), T0 + 1))
                .isZero();
        assertThat(tenMinutes.effectiveWeight(
                        TestEndpoint.of("10.0.0.1:1").weight(1).startTimestampMillis(T0), T0 + 1))
                .isEqualTo(1);
        // a provider whose clock is ahead of ours has just started
        assertThat(tenMinutes.effectiveWeight(
                        TestEndpoint.of("10.0.0.1:1").weight(80).startTimestampMillis(T0 + 5_000), T0))
                .isEqualTo(1);
    }

    @Test
    void longPeriodsAndLargeWeightsDoNotOverflow() {
        Warmup year = Warmup.of(Duration.ofDays(365));
        TestEndpoint e = TestEndpoint.of("10.0.0.1:1").weight(Integer.MAX_VALUE).startTimestampMillis(T0);
        int half = year.effectiveWeight(e, T0 + Duration.ofDays(365).toMillis() / 2);
        assertThat(half).isBetween(Integer.MAX_VALUE / 2 - 1, Integer.MAX_VALUE / 2 + 1);
    }

    @Test
    void readsItsKeyWithADefaultAndRefusesNegativePeriods() {
        assertThat(Warmup.from(PluginConfig.empty()).period()).isEqualTo(Duration.ofMinutes(10));
        assertThat(Warmup.from(PluginConfig.of("loadbalancer.random.", Map.of("warmup", "30s")))
                        .period())
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(Warmup.from(PluginConfig.of("loadbalancer.random.", Map.of("warmup", "0s")))
                        .enabled())
                .isFalse();
        assertThatThrownBy(() -> Warmup.from(PluginConfig.of("loadbalancer.random.", Map.of("warmup", "-5m"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "loadbalancer.random.warmup: '-5m' (expected: a duration >= 0 such as 10m; 0s turns warm-up off)");
    }
}
