package io.microrpc.plugin.lb.consistenthash;

import io.microrpc.lb.testkit.LoadBalancerContractTest;
import io.microrpc.spi.LoadBalancer;

class ConsistentHashContractTest extends LoadBalancerContractTest {

    @Override
    protected LoadBalancer newBalancer() {
        return new ConsistentHash();
    }
}
