package io.microrpc.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.microrpc.spi.ClientFilter;
import io.microrpc.spi.Filter;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.Invoker;
import io.microrpc.spi.RpcException;
import io.microrpc.spi.ServerFilter;
import io.microrpc.spi.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every filter passes, at every stage it takes part in (a {@link ClientFilter}'s call and
 * attempt stages, a {@link ServerFilter}): a call it lets through reaches the next step once, with the
 * attachments it came with, and the filter's future carries what the next step's did, success or
 * failure; it returns without waiting for the next step (it must not block); and many threads may call
 * it at once.
 *
 * <p>Subclass it in the filter's tests and implement {@link #newFilter()}; override {@link #newContext()}
 * to start it with configuration, and {@link #passingCall()} if the default call would be turned away
 * (by a rate limit, an authentication check). A filter that changes results or failures on purpose
 * overrides {@link #passesResultsOn()}. Put filter-specific checks in a class of their own.
 */
public abstract class FilterContractTest {

    /** The filter under test, started with {@link #context}. */
    protected Filter filter;

    protected TestPluginContext context;

    /** A new, not yet started instance of the filter under test. */
    protected abstract Filter newFilter();

    /** The context the filter is started with; override to give it configuration keys. */
    protected TestPluginContext newContext() {
        return TestPluginContext.empty();
    }

    /** A call the filter, as configured, lets through. */
    protected Invocation passingCall() {
        return TestInvocation.builder(TestInvocation.SampleService.class, "lookup")
                .args("k")
                .attachment("contract", "kept")
                .build();
    }

    /** Whether the filter's future carries the next step's result and failure unchanged. */
    protected boolean passesResultsOn() {
        return true;
    }

    @BeforeEach
    void startFilter() throws Exception {
        context = newContext();
        filter = newFilter();
        filter.start(context);
    }

    @AfterEach
    void stopFilter() {
        filter.stop();
    }

    /** One place a filter runs: a stage's method with a context of the right side. */
    private record Stage(String name, StageCall call) {}

    @FunctionalInterface
    private interface StageCall {
        CompletableFuture<Object> invoke(Invocation invocation, Invoker next);
    }

    private List<Stage> stages() {
        List<Stage> stages = new ArrayList<>();
        if (filter instanceof ClientFilter client) {
            stages.add(new Stage("client call", (inv, next) -> client.invoke(TestClientContext.of(inv), inv, next)));
            stages.add(new Stage(
                    "client attempt",
                    (inv, next) -> client.invokeAttempt(
                            TestClientContext.of(inv).attempt(1, TestEndpoint.of("10.0.0.1:7420"), null), inv, next)));
        }
        if (filter instanceof ServerFilter server) {
            stages.add(new Stage("server", (inv, next) -> server.invoke(TestServerContext.of(inv), inv, next)));
        }
        return stages;
    }

    @Test
    void isAClientOrAServerFilterWithAConfigurationName() {
        assertThat(filter).isInstanceOfAny(ClientFilter.class, ServerFilter.class);
        assertThat(filter.name())
                .matches("[a-z0-9][a-z0-9-]*")
                .isEqualTo(newFilter().name());
    }

    @Test
    void aCallLetThroughReachesTheNextStepOnceWithItsAttachments() throws Exception {
        for (Stage stage : stages()) {
            AtomicInteger reached = new AtomicInteger();
            AtomicReference<Invocation> received = new AtomicReference<>();
            CompletableFuture<Object> result = stage.call().invoke(passingCall(), inv -> {
                reached.incrementAndGet();
                received.set(inv);
                return CompletableFuture.completedFuture("ok");
            });
            assertThat(result).as(stage.name()).isNotNull();
            assertThat(reached).as(stage.name() + ": calls to the next step").hasValue(1);
            assertThat(received.get().attachments())
                    .as(stage.name() + ": attachments it does not own are passed on")
                    .containsEntry("contract", "kept");
            assertThat(received.get().method().fullName())
                    .isEqualTo(passingCall().method().fullName());
            if (passesResultsOn()) {
                assertThat(result.get(5, TimeUnit.SECONDS)).as(stage.name()).isEqualTo("ok");
            }
        }
    }

    @Test
    void aFailureOfTheNextStepReachesTheCaller() {
        if (!passesResultsOn()) {
            return;
        }
        for (Stage stage : stages()) {
            RpcException failure =
                    Status.of(Status.Code.UNAVAILABLE).withDescription("down").asException(RpcException.Progress.LOST);
            CompletableFuture<Object> result =
                    stage.call().invoke(passingCall(), inv -> CompletableFuture.failedFuture(failure));
            assertThat(result).as(stage.name()).isCompletedExceptionally();
            Throwable seen = result.handle((v, e) -> e).join();
            assertThat(RpcException.find(seen)).as(stage.name()).isNotNull();
            assertThat(RpcException.find(seen).code()).as(stage.name()).isEqualTo(Status.Code.UNAVAILABLE);
        }
    }

    @Test
    void returnsWithoutWaitingForTheNextStep() {
        for (Stage stage : stages()) {
            CompletableFuture<Object> pending = new CompletableFuture<>();
            CompletableFuture<Object> result = assertTimeoutPreemptively(
                    Duration.ofSeconds(5),
                    () -> stage.call().invoke(passingCall(), inv -> pending),
                    stage.name() + ": the filter blocked on the next step's future");
            assertThat(result).as(stage.name()).isNotDone();
            pending.complete("late");
            if (passesResultsOn()) {
                assertThat(result.join()).as(stage.name()).isEqualTo("late");
            }
        }
    }

    @Test
    void manyThreadsMayCallItAtOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                done.add(pool.submit(() -> {
                    int completed = 0;
                    for (int i = 0; i < 500; i++) {
                        for (Stage stage : stages()) {
                            CompletableFuture<Object> r =
                                    stage.call().invoke(passingCall(), inv -> CompletableFuture.completedFuture("ok"));
                            if (r.isDone()) {
                                completed++;
                            }
                        }
                    }
                    return completed;
                }));
            }
            for (Future<Integer> f : done) {
                assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(500 * stages().size());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
