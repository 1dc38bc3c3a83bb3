package io.microrpc.plugin.lb.adaptive;

import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.LoadBalancer;
import io.microrpc.testkit.TestEndpoint;
import io.microrpc.testkit.TestInvocation;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A closed-loop simulation on a tick clock: {@code callers} each keep one call outstanding; endpoint
 * {@code i} takes {@code serviceTicks[i]} ticks per call no matter how many it has. The endpoints'
 * in-flight counts follow the simulation; their latency averages are set to the service time (1 tick
 * = 1 ms), as the kernel's would settle. Returns the calls each endpoint received.
 */
final class ClosedLoop {

    private ClosedLoop() {}

    static int[] run(LoadBalancer lb, int[] serviceTicks, int callers, int ticks) {
        int n = serviceTicks.length;
        TestEndpoint[] endpoints = TestEndpoint.many(n);
        int[] inFlight = new int[n];
        for (int i = 0; i < n; i++) {
            endpoints[i].latencyNanos(serviceTicks[i] * 1_000_000L);
        }
        List<Endpoint> candidates = List.of(endpoints);
        Invocation call = TestInvocation.lookup("k");
        int[] received = new int[n];
        PriorityQueue<long[]> running = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
        KernelLike kernel = new KernelLike(lb);
        int free = callers;
        for (long now = 0; now < ticks; now++) {
            while (!running.isEmpty() && running.peek()[0] <= now) {
                int done = (int) running.poll()[1];
                endpoints[done].inFlight(--inFlight[done]);
                free++;
            }
            for (; free > 0; free--) {
                Endpoint chosen = kernel.select(candidates, call);
                int i = Arrays.asList(endpoints).indexOf(chosen);
                received[i]++;
                endpoints[i].inFlight(++inFlight[i]);
                running.add(new long[] {now + serviceTicks[i], i});
            }
        }
        return received;
    }

    static double share(int[] received, int index) {
        return (double) received[index] / Arrays.stream(received).sum();
    }
}
