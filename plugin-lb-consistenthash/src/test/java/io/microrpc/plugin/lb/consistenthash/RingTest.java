package io.microrpc.plugin.lb.consistenthash;

import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.spi.Endpoint;
import io.microrpc.testkit.TestEndpoint;
import org.junit.jupiter.api.Test;

class RingTest {

    private final TestEndpoint[] pool = TestEndpoint.many(6);

    @Test
    void eachMemberOwnsItsVirtualNodes() {
        Ring ring = Ring.of(pool, 160);
        assertThat(ring.size()).isEqualTo(6 * 160);
        assertThat(ring.members()).containsExactlyInAnyOrder(pool);
    }

    @Test
    void endpointsWithWeightZeroOwnNoPointsUnlessNoneHasWeight() {
        pool[4].weight(0);
        Ring ring = Ring.of(pool, 160);
        assertThat(ring.members()).hasSize(5).doesNotContain(pool[4]);
        assertThat(Ring.ofAll(pool, 160).members()).hasSize(6);
        for (TestEndpoint e : pool) {
            e.weight(0);
        }
        assertThat(Ring.of(pool, 160).members()).hasSize(6);
    }

    @Test
    void theRingDependsOnTheAddressesOnlyNotTheOrderOrTheObjects() {
        Ring ring = Ring.of(pool, 160);
        Endpoint[] shuffled = {pool[3].copy(), pool[0].copy(), pool[5].copy(), pool[1].copy(), pool[4].copy(), pool[2]};
        Ring other = Ring.of(shuffled, 160);
        for (int i = 0; i < ring.size(); i++) {
            assertThat(other.owner(i).address()).isEqualTo(ring.owner(i).address());
        }
    }
}
