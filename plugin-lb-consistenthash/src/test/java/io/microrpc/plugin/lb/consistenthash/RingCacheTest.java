package io.microrpc.plugin.lb.consistenthash;

import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.spi.Endpoint;
import io.microrpc.testkit.TestEndpoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RingCacheTest {

    private final RingCache cache = new RingCache();
    private final TestEndpoint[] pool = TestEndpoint.many(6);

    @Test
    void aFreshListOfTheSameEndpointsReusesTheRing() {
        Ring first = cache.ring(new ArrayList<>(Arrays.asList(pool)), 160);
        assertThat(cache.ring(new ArrayList<>(Arrays.asList(pool)), 160)).isSameAs(first);
        assertThat(first.size()).isEqualTo(6 * 160);
    }

    @Test
    void aFailoverRetryAndTheNextFullCallBothHitTheCache() {
        List<Endpoint> all = List.of(pool);
        List<Endpoint> withoutOne = List.of(pool[0], pool[1], pool[2], pool[4], pool[5]);
        Ring full = cache.ring(all, 160);
        Ring reduced = cache.ring(withoutOne, 160);
        assertThat(reduced).isNotSameAs(full);
        assertThat(cache.ring(all, 160)).isSameAs(full);
        assertThat(cache.ring(withoutOne, 160)).isSameAs(reduced);
    }

    @Test
    void aChangedEndpointOrWeightRebuilds() {
        Ring first = cache.ring(List.of(pool), 160);
        TestEndpoint[] replaced = pool.clone();
        replaced[2] = pool[2].copy();
        assertThat(cache.ring(List.of(replaced), 160)).isNotSameAs(first);
        Ring current = cache.ring(List.of(replaced), 160);
        replaced[4].weight(0);
        Ring drained = cache.ring(List.of(replaced), 160);
        assertThat(drained).isNotSameAs(current);
        assertThat(drained.members()).hasSize(5).doesNotContain(replaced[4]);
    }
}
