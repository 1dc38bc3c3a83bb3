package io.microrpc.plugin.lb.consistenthash;

import io.microrpc.spi.LoadBalancer;
import io.microrpc.testkit.LoadBalancerContractTest;
import io.microrpc.testkit.TestPluginContext;
import java.util.Map;

/** The contract again, with bounded load on: the ring walk must also only ever return candidates. */
class ConsistentHashBoundedLoadContractTest extends LoadBalancerContractTest {

    @Override
    protected LoadBalancer newBalancer() {
        return new ConsistentHash();
    }

    @Override
    protected TestPluginContext newContext() {
        return TestPluginContext.forExtension("loadbalancer", "consistent-hash", Map.of("bounded-load-factor", "1.25"));
    }
}
