package io.microrpc.plugin.lb.weighted;

import io.microrpc.lb.testkit.LoadBalancerContractTest;
import io.microrpc.spi.LoadBalancer;

class WeightedRandomContractTest extends LoadBalancerContractTest {

    @Override
    protected LoadBalancer newBalancer() {
        return new WeightedRandom();
    }
}
