package io.microrpc.plugin.cluster.failover;

import io.microrpc.spi.ClusterPolicy;
import io.microrpc.testkit.ClusterPolicyContractTest;

class FailoverContractTest extends ClusterPolicyContractTest {

    @Override
    protected ClusterPolicy newPolicy() {
        return new Failover();
    }
}
