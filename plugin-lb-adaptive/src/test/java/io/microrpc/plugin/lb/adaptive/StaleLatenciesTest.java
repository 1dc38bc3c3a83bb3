package io.microrpc.plugin.lb.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.microrpc.spi.Endpoint;
import io.microrpc.testkit.TestEndpoint;
import org.junit.jupiter.api.Test;

class StaleLatenciesTest {

    private static final long S = 1_000_000_000L;

    @Test
    void aFigureThatStandsStillDecaysWithATimeConstantOfTenSeconds() {
        StaleLatencies.Observation o = new StaleLatencies.Observation();
        assertThat(o.read(40_000_000, 5 * S)).isEqualTo(40_000_000);
        assertThat(o.read(40_000_000, 5 * S + 50_000_000))
                .as("under 100 ms: not decayed")
                .isEqualTo(40_000_000);
        assertThat(o.read(40_000_000, 15 * S)).isCloseTo(40_000_000 * Math.exp(-1), within(1.0));
        assertThat(o.read(40_000_000, 35 * S)).isCloseTo(40_000_000 * Math.exp(-3), within(1.0));
        assertThat(o.read(39_000_000, 36 * S))
                .as("a new figure is taken as it is")
                .isEqualTo(39_000_000);
        assertThat(o.read(0, 100 * S)).isZero();
    }

    @Test
    void observationsFollowTheirEndpointsWhenTheCandidatesChange() {
        TestEndpoint[] e = TestEndpoint.many(3);
        StaleLatencies first = StaleLatencies.of(new Endpoint[] {e[0], e[1], e[2]}, null);
        StaleLatencies second = StaleLatencies.of(new Endpoint[] {e[2], e[0], e[1].copy()}, first);
        assertThat(second.at(0)).isSameAs(first.at(2));
        assertThat(second.at(1)).isSameAs(first.at(0));
        assertThat(second.at(2)).as("a new endpoint object: a new observation").isNotSameAs(first.at(1));
    }
}
