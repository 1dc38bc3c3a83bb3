package io.microrpc.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.LoadBalancer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A deterministic strategy passes the load balancer suite with its spreading checks off. */
class LowestAddressContractTest extends LoadBalancerContractTest {

    /** Always the candidate with the lowest address, as text: a primary with standbys. */
    static final class LowestAddress implements LoadBalancer {
        @Override
        public String name() {
            return "lowest-address";
        }

        @Override
        public Selector newSelector(String service, List<Endpoint> candidates, Selector previous) {
            return (context, invocation, excluded) -> {
                Endpoint best = null;
                for (Endpoint e : candidates) {
                    if (!excluded.contains(e) && (best == null || e.address().compareTo(best.address()) < 0)) {
                        best = e;
                    }
                }
                return best;
            };
        }
    }

    @Override
    protected LoadBalancer newBalancer() {
        return new LowestAddress();
    }

    @Override
    protected boolean spreads() {
        return false;
    }

    @Test
    void alwaysPicksTheSameOfEqualCandidates() {
        List<Endpoint> candidates = List.of(TestEndpoint.many(4));
        Endpoint first = pick(candidates, TestInvocation.lookup("a"));
        for (Invocation inv : invocations(100)) {
            assertThat(pick(candidates, inv)).isSameAs(first);
        }
    }
}
