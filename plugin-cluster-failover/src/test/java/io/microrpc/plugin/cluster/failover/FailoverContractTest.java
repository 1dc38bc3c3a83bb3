package io.microrpc.plugin.cluster.failover;

import io.microrpc.testkit.ClusterPolicyContractTest;
import io.microrpc.spi.ClusterPolicy;

class FailoverContractTest extends ClusterPolicyContractTest {

    @Override
    protected ClusterPolicy newPolicy() {
        return new Failover();
    }
}
