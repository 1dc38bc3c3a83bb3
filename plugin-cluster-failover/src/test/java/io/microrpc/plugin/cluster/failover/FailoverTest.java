package io.microrpc.plugin.cluster.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.microrpc.spi.CallType;
import io.microrpc.spi.Deadline;
import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.MethodDescriptor;
import io.microrpc.spi.RpcException;
import io.microrpc.spi.Status;
import io.microrpc.testkit.TestClientContext;
import io.microrpc.testkit.TestEndpoint;
import io.microrpc.testkit.TestInvocation;
import io.microrpc.testkit.TestPluginContext;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The failover policy against a scripted cluster and a fake ticker: no network, no real time. */
class FailoverTest {

    private final TestEndpoint a = TestEndpoint.of("10.0.0.1:7420");
    private final TestEndpoint b = TestEndpoint.of("10.0.0.2:7420");
    private final TestEndpoint c = TestEndpoint.of("10.0.0.3:7420");
    private final TestEndpoint d = TestEndpoint.of("10.0.0.4:7420");
    private TestPluginContext context;

    /** Retries at once unless a test sets a backoff (the fake context has no scheduler); later keys win. */
    private Failover policy(String... keysAndValues) {
        String[] keys = new String[keysAndValues.length + 2];
        keys[0] = "backoff-initial";
        keys[1] = "0ms";
        System.arraycopy(keysAndValues, 0, keys, 2, keysAndValues.length);
        context = TestPluginContext.forExtension("cluster", "failover", keys);
        Failover f = new Failover();
        f.start(context);
        return f;
    }

    private FakeProviders cluster(TestEndpoint... endpoints) {
        return new FakeProviders(context.ticker(), endpoints);
    }

    private Invocation call(boolean idempotent, Duration timeout) {
        Method m = Arrays.stream(TestInvocation.SampleService.class.getMethods())
                .filter(x -> x.getName().equals("ping"))
                .findFirst()
                .orElseThrow();
        MethodDescriptor md = new MethodDescriptor(
                TestInvocation.SampleService.class.getName(),
                m,
                List.of(),
                String.class,
                String.class,
                CallType.SYNC,
                idempotent);
        return Invocation.of(md, new Object[0], Map.of(), Deadline.after(timeout, context.ticker()));
    }

    /** An idempotent call: a lost attempt may be retried. */
    private Invocation call() {
        return call(true, Duration.ofSeconds(3));
    }

    private static CompletableFuture<Object> invoke(Failover f, Invocation invocation, FakeProviders providers) {
        return f.invoke(TestClientContext.of(invocation), invocation, providers);
    }

    private static Object result(CompletableFuture<Object> f) throws Exception {
        assertThat(f).as("completes without real time passing").isDone();
        return f.get(0, TimeUnit.SECONDS);
    }

    private static RpcException failure(CompletableFuture<Object> f) {
        assertThat(f).isDone();
        try {
            f.get();
        } catch (ExecutionException e) {
            return RpcException.find(e.getCause());
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("expected a failure, got success");
    }

    @Test
    void anUnavailableProviderIsRetriedOnAnotherOne() throws Exception {
        Failover f = policy();
        FakeProviders cl = cluster(a, b).fail(a, Status.Code.UNAVAILABLE);

        assertThat(result(invoke(f, call(), cl))).isEqualTo("answer from 10.0.0.2:7420");
        assertThat(cl.calledAddresses()).containsExactly("10.0.0.1:7420", "10.0.0.2:7420");
    }

    @Test
    void aLostCallIsRetriedOnlyIfTheMethodIsIdempotentWhileOneNotSentOrRefusedAlwaysIs() throws Exception {
        Failover f = policy();
        FakeProviders lost = cluster(a, b).fail(a, Status.Code.UNAVAILABLE, RpcException.Progress.LOST);
        assertThat(failure(invoke(f, call(false, Duration.ofSeconds(3)), lost)).progress())
                .as("it may have run: not run again")
                .isEqualTo(RpcException.Progress.LOST);
        assertThat(lost.calls).containsExactly(a);

        FakeProviders notSent = cluster(a, b).fail(a, Status.Code.UNAVAILABLE, RpcException.Progress.NOT_SENT);
        assertThat(result(invoke(f, call(false, Duration.ofSeconds(3)), notSent)))
                .isEqualTo("answer from 10.0.0.2:7420");

        FakeProviders goingAway = cluster(a, b).fail(a, Status.Code.UNAVAILABLE, RpcException.Progress.REFUSED);
        assertThat(result(invoke(f, call(false, Duration.ofSeconds(3)), goingAway)))
                .isEqualTo("answer from 10.0.0.2:7420");

        FakeProviders shedding = cluster(a, b).fail(a, Status.Code.RESOURCE_EXHAUSTED, RpcException.Progress.REFUSED);
        assertThat(result(invoke(f, call(false, Duration.ofSeconds(3)), shedding)))
                .isEqualTo("answer from 10.0.0.2:7420");

        FakeProviders relayed = cluster(a, b).fail(a, Status.Code.UNAVAILABLE, RpcException.Progress.ANSWERED);
        assertThat(failure(invoke(f, call(true, Duration.ofSeconds(3)), relayed))
                        .code())
                .as("a status the service itself answered with is its answer")
                .isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(relayed.calls).containsExactly(a);
    }

    @Test
    void aBrokenLoadBalancerOrClusterFailsTheCallInsteadOfLeavingItPending() {
        Failover f = policy();
        FakeProviders broken = new FakeProviders(context.ticker(), a, b) {
            @Override
            public synchronized CompletableFuture<Object> attempt(Endpoint endpoint, Invocation invocation) {
                throw new IllegalStateException("timer stopped");
            }
        };
        CompletableFuture<Object> r = invoke(f, call(), broken);
        assertThat(r).isCompletedExceptionally();
    }

    @Test
    void applicationErrorsAndBadArgumentsAreNeverRetried() {
        Failover f = policy();
        for (Status.Code code :
                List.of(Status.Code.APPLICATION_ERROR, Status.Code.INVALID_ARGUMENT, Status.Code.RESOURCE_EXHAUSTED)) {
            FakeProviders cl = cluster(a, b).fail(a, code);
            assertThat(failure(invoke(f, call(), cl)).code()).isEqualTo(code);
            assertThat(cl.calls).as(code.toString()).containsExactly(a);
        }
    }

    @Test
    void deadlineExceededIsRetriedOnlyForIdempotentMethods() throws Exception {
        Failover f = policy();
        FakeProviders cl = cluster(a, b).fail(a, Status.Code.DEADLINE_EXCEEDED);
        assertThat(failure(invoke(f, call(false, Duration.ofSeconds(3)), cl)).code())
                .isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(cl.calls).containsExactly(a);

        FakeProviders idempotent = cluster(a, b).fail(a, Status.Code.DEADLINE_EXCEEDED);
        assertThat(result(invoke(f, call(true, Duration.ofSeconds(3)), idempotent)))
                .isEqualTo("answer from 10.0.0.2:7420");
    }

    @Test
    void retriesStopAfterTheConfiguredNumberEachOnAProviderNotTriedYet() {
        Failover f = policy("retries", "2", "breaker-failures", "0");
        FakeProviders cl = cluster(a, b, c, d)
                .fail(a, Status.Code.UNAVAILABLE)
                .fail(b, Status.Code.UNAVAILABLE)
                .fail(c, Status.Code.UNAVAILABLE)
                .fail(d, Status.Code.UNAVAILABLE);

        RpcException e = failure(invoke(f, call(), cl));
        assertThat(cl.calledAddresses()).containsExactly("10.0.0.1:7420", "10.0.0.2:7420", "10.0.0.3:7420");
        assertThat(e.getMessage()).as("the last attempt's failure").contains("10.0.0.3:7420");
    }

    @Test
    void whenEveryProviderWasTriedTheLastFailureIsReported() {
        Failover f = policy("retries", "5", "breaker-failures", "0");
        FakeProviders cl = cluster(a, b).fail(a, Status.Code.UNAVAILABLE).fail(b, Status.Code.UNAVAILABLE);

        RpcException e = failure(invoke(f, call(), cl));
        assertThat(cl.calls).containsExactly(a, b);
        assertThat(e.getMessage())
                .contains("10.0.0.2:7420 failed with UNAVAILABLE")
                .contains("after 2 attempts, no other provider");
    }

    @Test
    void noRetryWhenTheBackoffWouldOutlastTheDeadline() {
        Failover f = policy("backoff-initial", "50ms", "backoff-max", "50ms");
        FakeProviders cl = cluster(a, b).fail(a, Status.Code.UNAVAILABLE);

        // The backoff is 25-50 ms; 10 ms are left.
        assertThat(failure(invoke(f, call(false, Duration.ofMillis(10)), cl)).code())
                .isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(cl.calls).containsExactly(a);
    }

    @Test
    void backoffGrowsExponentiallyIsCappedAndJittered() {
        Failover f = policy("backoff-initial", "10ms", "backoff-max", "50ms");
        for (int i = 0; i < 200; i++) {
            assertThat(f.backoffNanos(1)).isBetween(5_000_000L, 10_000_000L);
            assertThat(f.backoffNanos(2)).isBetween(10_000_000L, 20_000_000L);
            assertThat(f.backoffNanos(3)).isBetween(20_000_000L, 40_000_000L);
            assertThat(f.backoffNanos(4)).isBetween(25_000_000L, 50_000_000L);
            assertThat(f.backoffNanos(40)).isBetween(25_000_000L, 50_000_000L);
        }
        assertThat(policy().backoffNanos(3))
                .as("backoff-initial=0 retries at once")
                .isZero();
    }

    @Test
    void aRetryAfterABackoffRunsOnTheKernelsScheduler() throws Exception {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            context = TestPluginContext.forExtension("cluster", "failover", "backoff-initial", "1ms")
                    .withScheduler(scheduler);
            Failover f = new Failover();
            f.start(context);
            FakeProviders cl = cluster(a, b).fail(a, Status.Code.UNAVAILABLE);
            assertThat(invoke(f, call(), cl).get(10, TimeUnit.SECONDS)).isEqualTo("answer from 10.0.0.2:7420");
        } finally {
            scheduler.shutdownNow();
        }
    }

    @Test
    void theRetryBudgetStopsRetryStorms() {
        // Two retries banked, and calls add none: the third failing call is not retried.
        Failover f = policy("retries", "1", "budget-minimum", "2", "budget-ratio", "0", "breaker-failures", "0");
        FakeProviders cl = cluster(a, b).fail(a, Status.Code.UNAVAILABLE).fail(b, Status.Code.UNAVAILABLE);
        invoke(f, call(), cl);
        invoke(f, call(), cl);
        assertThat(cl.calls).hasSize(4);

        RpcException e = failure(invoke(f, call(), cl));
        assertThat(cl.calls).hasSize(5);
        assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(e.getMessage())
                .contains("10.0.0.1:7420 failed with UNAVAILABLE")
                .contains("retry budget of " + TestInvocation.SampleService.class.getName() + " is spent");
    }

    @Test
    void budgetRefillsWithCalls() {
        RetryBudget budget = new RetryBudget(0.5, 0);
        assertThat(budget.tryWithdraw()).isFalse();
        budget.deposit();
        budget.deposit();
        assertThat(budget.tryWithdraw()).isTrue();
        assertThat(budget.tryWithdraw()).isFalse();
        for (int i = 0; i < 1000; i++) {
            budget.deposit();
        }
        assertThat(budget.available()).as("capped at 100 calls' worth").isEqualTo(50);
    }

    @Test
    void aProviderThatKeepsFailingIsLeftOutUntilItsTrialSucceeds() throws Exception {
        Failover f = policy("retries", "0", "breaker-failures", "3", "breaker-open", "10s");
        FakeProviders cl = cluster(a, b).fail(a, Status.Code.UNAVAILABLE);
        for (int i = 0; i < 3; i++) {
            failure(invoke(f, call(), cl));
        }
        assertThat(cl.calls).containsExactly(a, a, a);

        // Open: calls go to b without touching a.
        for (int i = 0; i < 5; i++) {
            assertThat(result(invoke(f, call(), cl))).isEqualTo("answer from 10.0.0.2:7420");
        }
        assertThat(cl.calls).hasSize(8).endsWith(b, b, b, b, b);

        // After breaker-open, one trial; it fails: open again.
        context.advance(Duration.ofSeconds(10));
        failure(invoke(f, call(), cl));
        assertThat(cl.calls.get(8)).isEqualTo(a);
        assertThat(result(invoke(f, call(), cl))).isEqualTo("answer from 10.0.0.2:7420");

        // Healed: the next trial succeeds and closes the circuit.
        cl.heal(a);
        context.advance(Duration.ofSeconds(10));
        assertThat(result(invoke(f, call(), cl))).isEqualTo("answer from 10.0.0.1:7420");
        assertThat(f.breakers().allClosed()).isTrue();
        assertThat(result(invoke(f, call(), cl))).isEqualTo("answer from 10.0.0.1:7420");
    }

    @Test
    void aTrialThatEndsWithoutAVerdictLetsTheNextCallTryAgain() {
        Failover f = policy("retries", "0", "breaker-failures", "1", "breaker-open", "1s");
        FakeProviders cl = cluster(a, b).fail(a, Status.Code.UNAVAILABLE);
        failure(invoke(f, call(), cl));
        context.advance(Duration.ofSeconds(1));
        CircuitBreakers breakers = f.breakers();
        assertThat(breakers.tryAcquire(a)).isTrue();
        // E.g. the deadline passed before the trial was sent: nothing was learned about a.
        breakers.record(a, Status.of(Status.Code.DEADLINE_EXCEEDED).asException(RpcException.Progress.NOT_SENT));
        assertThat(breakers.blocks(a)).isFalse();
        assertThat(breakers.tryAcquire(a)).as("the next call is the trial").isTrue();
    }

    @Test
    void whileItsTrialRunsAHalfOpenProviderGetsNoOtherCall() {
        Failover f = policy("retries", "0", "breaker-failures", "1", "breaker-open", "1s");
        FakeProviders cl = cluster(a, b).fail(a, Status.Code.UNAVAILABLE);
        failure(invoke(f, call(), cl));
        context.advance(Duration.ofSeconds(1));
        CircuitBreakers breakers = f.breakers();
        assertThat(breakers.tryAcquire(a)).as("the trial permit").isTrue();
        assertThat(breakers.tryAcquire(a)).as("a second call during the trial").isFalse();
        assertThat(breakers.blocks(a)).isTrue();
    }

    @Test
    void whenEveryCircuitIsOpenCallsFailFastSayingWhy() {
        Failover f = policy("retries", "2", "breaker-failures", "2", "breaker-open", "10s");
        FakeProviders cl = cluster(a).fail(a, Status.Code.UNAVAILABLE);
        failure(invoke(f, call(), cl));
        failure(invoke(f, call(), cl));
        int calls = cl.calls.size();

        RpcException e = failure(invoke(f, call(), cl));
        assertThat(cl.calls).as("no attempt while open").hasSize(calls);
        assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(e.getMessage())
                .contains("the circuits of all 1 providers of " + TestInvocation.SampleService.class.getName()
                        + " are open")
                .contains("next trial call is in 10000 ms");
    }

    @Test
    void answersRefusalsAndLocalFailuresDoNotOpenACircuit() throws Exception {
        for (RpcException.Progress howFar : List.of(RpcException.Progress.ANSWERED, RpcException.Progress.REFUSED)) {
            Failover f = policy("retries", "0", "breaker-failures", "2");
            FakeProviders cl = cluster(a, b).fail(a, Status.Code.RESOURCE_EXHAUSTED, howFar);
            for (int i = 0; i < 10; i++) {
                failure(invoke(f, call(), cl));
            }
            assertThat(f.breakers().allClosed()).as(howFar.toString()).isTrue();
            assertThat(cl.calls).containsOnly(a);
        }
    }

    @Test
    void invalidSettingsAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> policy("retries", "-1"))
                .hasMessage("cluster.failover.retries: '-1' (expected: 0-10 retries after the first attempt)");
        assertThatThrownBy(() -> policy("backoff-initial", "10ms", "backoff-max", "5ms"))
                .hasMessage("cluster.failover.backoff-max: 'PT0.005S' (expected: >= backoff-initial (PT0.01S))");
        assertThatThrownBy(() -> policy("budget-ratio", "lots"))
                .hasMessageStartingWith("cluster.failover.budget-ratio: 'lots'");
        assertThatThrownBy(() -> policy("budget-ratio", "1.5"))
                .hasMessageStartingWith("cluster.failover.budget-ratio: '1.5'");
        assertThatThrownBy(() -> policy("breaker-failures", "-3"))
                .hasMessageStartingWith("cluster.failover.breaker-failures: '-3'");
        assertThatThrownBy(() -> policy("breaker-open", "0s")).hasMessageStartingWith("cluster.failover.breaker-open:");
    }
}
