package com.example.lb;

import io.microrpc.spi.LoadBalancer;
import io.microrpc.testkit.LoadBalancerContractTest;

class TwoChoicesContractTest extends LoadBalancerContractTest {

    @Override
    protected LoadBalancer newBalancer() {
        return new TwoChoices();
    }
}
