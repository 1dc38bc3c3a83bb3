package io.microrpc.plugin.lb.adaptive;

import io.microrpc.spi.LoadBalancer;
import io.microrpc.testkit.LoadBalancerContractTest;

class PowerOfTwoChoicesContractTest extends LoadBalancerContractTest {

    @Override
    protected LoadBalancer newBalancer() {
        return new PowerOfTwoChoices();
    }
}
