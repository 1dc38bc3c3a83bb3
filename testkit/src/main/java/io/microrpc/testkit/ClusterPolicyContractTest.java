package io.microrpc.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.microrpc.spi.ClusterPolicy;
import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.RpcException;
import io.microrpc.spi.Status;
import io.microrpc.spi.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link ClusterPolicy} passes, whatever its strategy (docs/FAULT-TOLERANCE.md): a
 * healthy provider's answer is the call's, after one attempt; an answered failure is never sent again,
 * nor a lost call of a method that is not idempotent; no provider means {@code UNAVAILABLE}, not a
 * call that hangs; nothing is attempted once the call was cancelled; every attempt goes to a candidate;
 * the caller is never blocked; and concurrent calls all complete.
 *
 * <p>Subclass it in the policy's tests and implement {@link #newPolicy()}; override {@link
 * #newContext()} to start it with configuration. The context has a real scheduler for delayed retries.
 * Put strategy-specific checks (how many retries, which backoff) in a class of their own.
 */
public abstract class ClusterPolicyContractTest {

    protected ClusterPolicy policy;
    protected TestPluginContext context;
    private ScheduledExecutorService scheduler;

    private final Endpoint a = TestEndpoint.of("10.0.0.1:7420");
    private final Endpoint b = TestEndpoint.of("10.0.0.2:7420");
    private final Endpoint c = TestEndpoint.of("10.0.0.3:7420");

    /** A new, not yet started instance of the policy under test. */
    protected abstract ClusterPolicy newPolicy();

    /** The context the policy is started with (a scheduler is added); override for configuration keys. */
    protected TestPluginContext newContext() {
        return TestPluginContext.empty();
    }

    @BeforeEach
    void startPolicy() throws Exception {
        scheduler = Executors.newSingleThreadScheduledExecutor();
        context = newContext().withScheduler(scheduler);
        policy = newPolicy();
        policy.start(context);
    }

    @AfterEach
    void stopPolicy() {
        policy.stop();
        scheduler.shutdownNow();
    }

    private static Invocation call() {
        return TestInvocation.lookup("k");
    }

    private static RpcException failure(CompletableFuture<Object> result) {
        Throwable t = result.handle((v, e) -> e).orTimeout(10, TimeUnit.SECONDS).join();
        assertThat(t).as("the call failed").isNotNull();
        RpcException e = RpcException.find(t);
        assertThat(e).as("failed with an RpcException: " + t).isNotNull();
        return e;
    }

    private CompletableFuture<Object> invoke(TestClientContext call, Invocation invocation, TestProviders providers) {
        return assertTimeoutPreemptively(
                Duration.ofSeconds(5),
                () -> policy.invoke(call, invocation, providers),
                "the policy blocked the caller");
    }

    @Test
    void aHealthyProvidersAnswerIsTheCallsAfterOneAttempt() {
        Invocation inv = call();
        TestClientContext ctx = TestClientContext.of(inv);
        TestProviders providers = new TestProviders(ctx, Ticker.system(), a, b, c);
        Object answer =
                invoke(ctx, inv, providers).orTimeout(10, TimeUnit.SECONDS).join();
        assertThat(answer).isEqualTo("answer from 10.0.0.1:7420");
        assertThat(providers.attempts()).hasSize(1);
    }

    @Test
    void anAnsweredFailureIsNeverSentAgain() {
        Invocation inv = call();
        TestClientContext ctx = TestClientContext.of(inv);
        TestProviders providers = new TestProviders(ctx, Ticker.system(), a, b, c);
        for (Endpoint e : List.of(a, b, c)) {
            providers.fail(e, Status.Code.APPLICATION_ERROR, RpcException.Progress.ANSWERED);
        }
        assertThat(failure(invoke(ctx, inv, providers)).code()).isEqualTo(Status.Code.APPLICATION_ERROR);
        assertThat(providers.attempts()).hasSize(1);
    }

    @Test
    void aLostCallOfAMethodThatIsNotIdempotentIsNotSentAgain() {
        Invocation inv = call();
        assertThat(inv.method().isIdempotent()).isFalse();
        TestClientContext ctx = TestClientContext.of(inv);
        TestProviders providers = new TestProviders(ctx, Ticker.system(), a, b, c);
        for (Endpoint e : List.of(a, b, c)) {
            providers.fail(e, Status.Code.UNAVAILABLE, RpcException.Progress.LOST);
        }
        assertThat(failure(invoke(ctx, inv, providers)).code()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(providers.attempts()).hasSize(1);
    }

    @Test
    void noProviderFailsUnavailableInsteadOfHanging() {
        Invocation inv = call();
        TestClientContext ctx = TestClientContext.of(inv);
        TestProviders providers = new TestProviders(ctx, Ticker.system());
        assertThat(failure(invoke(ctx, inv, providers)).code()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(providers.attempts()).isEmpty();
    }

    @Test
    void nothingIsAttemptedOnceTheCallWasCancelled() {
        Invocation inv = call();
        TestClientContext ctx = TestClientContext.of(inv);
        TestProviders providers = new TestProviders(ctx, Ticker.system(), a, b, c);
        ctx.cancel();
        assertThat(failure(invoke(ctx, inv, providers)).code()).isEqualTo(Status.Code.CANCELLED);
        assertThat(providers.attempts()).isEmpty();
    }

    @Test
    void theCallerIsNotBlockedByAnAttemptInFlight() {
        Invocation inv = call();
        TestClientContext ctx = TestClientContext.of(inv);
        TestProviders providers = new TestProviders(ctx, Ticker.system(), a);
        CompletableFuture<Object> attempt = providers.hang(a);
        CompletableFuture<Object> result = invoke(ctx, inv, providers);
        assertThat(result).isNotDone();
        attempt.complete("late");
        assertThat(result.orTimeout(10, TimeUnit.SECONDS).join()).isEqualTo("late");
    }

    @Test
    void concurrentCallsAllComplete() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                done.add(pool.submit(() -> {
                    int ok = 0;
                    for (int i = 0; i < 200; i++) {
                        Invocation inv = call();
                        TestClientContext ctx = TestClientContext.of(inv);
                        TestProviders providers = new TestProviders(ctx, Ticker.system(), a, b, c);
                        Object r = policy.invoke(ctx, inv, providers)
                                .orTimeout(10, TimeUnit.SECONDS)
                                .join();
                        if (r != null) {
                            ok++;
                        }
                    }
                    return ok;
                }));
            }
            for (Future<Integer> f : done) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
