package io.microrpc.bench.jmh;

import io.microrpc.plugin.lb.adaptive.LeastActive;
import io.microrpc.plugin.lb.adaptive.PowerOfTwoChoices;
import io.microrpc.plugin.lb.adaptive.ShortestResponse;
import io.microrpc.plugin.lb.consistenthash.ConsistentHash;
import io.microrpc.plugin.lb.weighted.SmoothWeightedRoundRobin;
import io.microrpc.plugin.lb.weighted.WeightedRandom;
import io.microrpc.spi.ClientRequestContext;
import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.LoadBalancer;
import io.microrpc.testkit.TestEndpoint;
import io.microrpc.testkit.TestInvocation;
import io.microrpc.testkit.TestPluginContext;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code LoadBalancer.Selector.select} per strategy for 10 and 100 endpoints with varied weights,
 * in-flight counts and latencies: one selector made once for a stable candidate list, first attempts
 * (nothing excluded), the hot path the kernel runs on every call. Making the selector is not measured;
 * the kernel does it only when the candidates change. Run with {@code -prof gc} to see allocation per
 * pick (docs/PERFORMANCE.md has the command).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LoadBalancerBenchmark {

    @Param({"round-robin", "random", "least-active", "shortest-response", "p2c", "consistent-hash"})
    public String strategy;

    @Param({"10", "100"})
    public int endpoints;

    private LoadBalancer balancer;
    private LoadBalancer.Selector selector;
    private final Invocation[] calls = new Invocation[1024];
    private final ClientRequestContext[] contexts = new ClientRequestContext[1024];
    private final Collection<Endpoint> none = List.of();
    private int next;

    @Setup
    public void setUp() throws Exception {
        switch (strategy) {
            case "round-robin":
                balancer = new SmoothWeightedRoundRobin();
                break;
            case "random":
                balancer = new WeightedRandom();
                break;
            case "least-active":
                balancer = new LeastActive();
                break;
            case "shortest-response":
                balancer = new ShortestResponse();
                break;
            case "p2c":
                balancer = new PowerOfTwoChoices();
                break;
            default:
                balancer = new ConsistentHash();
        }
        balancer.start(TestPluginContext.forExtension("loadbalancer", strategy, Map.of()));
        SplittableRandom r = new SplittableRandom(1);
        TestEndpoint[] many = TestEndpoint.many(endpoints);
        for (TestEndpoint e : many) {
            long latency = 200_000 + r.nextLong(5_000_000);
            e.weight(50 + r.nextInt(100))
                    .inFlight(r.nextInt(8))
                    .latencyEwmaNanos(latency)
                    .peakEwmaNanos(latency);
        }
        for (int i = 0; i < calls.length; i++) {
            calls[i] = TestInvocation.lookup("user-" + i);
            contexts[i] = TestInvocation.callContext(calls[i]);
        }
        selector = balancer.newSelector(calls[0].service(), List.of(many), null);
    }

    @Benchmark
    public Endpoint select() {
        int i = next++ & 1023;
        return selector.select(contexts[i], calls[i], none);
    }
}
