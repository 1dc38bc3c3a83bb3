package ${package};

import io.microrpc.spi.LoadBalancer;
import io.microrpc.testkit.LoadBalancerContractTest;

/** What every load balancer holds, from microrpc's test kit; add your strategy's own checks beside it. */
class RoundRobinContractTest extends LoadBalancerContractTest {

    @Override
    protected LoadBalancer newBalancer() {
        return new RoundRobin();
    }
}
