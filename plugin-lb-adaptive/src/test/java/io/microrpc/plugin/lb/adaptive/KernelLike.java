package io.microrpc.plugin.lb.adaptive;

import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.LoadBalancer;
import io.microrpc.testkit.TestInvocation;
import java.util.Collection;
import java.util.List;

/**
 * Drives a balancer as the kernel does: the same selector while the candidate list is the same object,
 * else a new one made with the one it replaces. Not thread-safe.
 */
final class KernelLike {

    private final LoadBalancer balancer;
    private List<Endpoint> candidates;
    private LoadBalancer.Selector selector;

    KernelLike(LoadBalancer balancer) {
        this.balancer = balancer;
    }

    Endpoint select(List<Endpoint> list, Invocation invocation) {
        return select(list, invocation, List.of());
    }

    Endpoint select(List<Endpoint> list, Invocation invocation, Collection<Endpoint> excluded) {
        if (list != candidates) {
            selector = balancer.newSelector(invocation.service(), list, selector);
            candidates = list;
        }
        return selector.select(TestInvocation.callContext(invocation), invocation, excluded);
    }
}
