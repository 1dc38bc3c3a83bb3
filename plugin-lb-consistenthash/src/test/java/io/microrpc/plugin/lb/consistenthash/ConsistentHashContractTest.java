package io.microrpc.plugin.lb.consistenthash;

import io.microrpc.spi.LoadBalancer;
import io.microrpc.testkit.LoadBalancerContractTest;

class ConsistentHashContractTest extends LoadBalancerContractTest {

    @Override
    protected LoadBalancer newBalancer() {
        return new ConsistentHash();
    }
}
