package com.example.lb;

import io.microrpc.lb.testkit.LoadBalancerContractTest;
import io.microrpc.spi.LoadBalancer;

class TwoChoicesContractTest extends LoadBalancerContractTest {

    @Override
    protected LoadBalancer newBalancer() {
        return new TwoChoices();
    }
}
