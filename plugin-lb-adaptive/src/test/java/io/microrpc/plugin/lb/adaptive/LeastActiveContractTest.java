package io.microrpc.plugin.lb.adaptive;

import io.microrpc.lb.testkit.LoadBalancerContractTest;
import io.microrpc.spi.LoadBalancer;

class LeastActiveContractTest extends LoadBalancerContractTest {

    @Override
    protected LoadBalancer newBalancer() {
        return new LeastActive();
    }
}
