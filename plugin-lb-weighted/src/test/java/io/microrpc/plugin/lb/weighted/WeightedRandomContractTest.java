package io.microrpc.plugin.lb.weighted;

import io.microrpc.spi.LoadBalancer;
import io.microrpc.testkit.LoadBalancerContractTest;

class WeightedRandomContractTest extends LoadBalancerContractTest {

    @Override
    protected LoadBalancer newBalancer() {
        return new WeightedRandom();
    }
}
