package io.microrpc.plugin.lb.adaptive;

import io.microrpc.spi.LoadBalancer;
import io.microrpc.testkit.LoadBalancerContractTest;

class ShortestResponseContractTest extends LoadBalancerContractTest {

    @Override
    protected LoadBalancer newBalancer() {
        return new ShortestResponse();
    }
}
