package io.microrpc.plugin.cluster.failover;

import io.microrpc.spi.Cluster;
import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.RpcException;
import io.microrpc.spi.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * One call under the failover policy: this future completes with the first successful attempt's
 * result, or with the failure that ended the retries. Attempts run one after another, so the fields
 * are touched by one thread at a time (each attempt's completion happens-after its start).
 */
final class FailoverCall extends CompletableFuture<Object> implements BiConsumer<Object, Throwable> {

    private final Failover policy;
    private final Invocation invocation;
    private final Cluster cluster;
    private final RetryBudget budget;
    private Endpoint current;
    private List<Endpoint> tried;
    private int retries;
    private Throwable lastFailure;

    FailoverCall(Failover policy, Invocation invocation, Cluster cluster, RetryBudget budget) {
        this.policy = policy;
        this.invocation = invocation;
        this.cluster = cluster;
        this.budget = budget;
    }

    CompletableFuture<Object> start() {
        attempt();
        return this;
    }

    private void attempt() {
        Endpoint e;
        try {
            e = policy.select(invocation, cluster, tried == null ? List.of() : tried);
        } catch (RpcException | IllegalStateException ex) {
            fail(ex);
            return;
        }
        current = e;
        cluster.invoke(e, invocation).whenComplete(this);
    }

    /** An attempt finished. */
    @Override
    public void accept(Object value, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        policy.breakers().record(current, cause);
        if (cause == null) {
            complete(value);
            return;
        }
        if (!retryable(cause) || retries >= policy.settings().retries || isDone()) {
            completeExceptionally(cause);
            return;
        }
        long delay = policy.backoffNanos(retries + 1);
        if (delay >= invocation.deadline().remainingNanos()) {
            completeExceptionally(cause); // no time left for another attempt
            return;
        }
        if (!budget.tryWithdraw()) {
            completeExceptionally(withNote(cause, "not retried: the retry budget of " + invocation.service()
                    + " is spent, too many calls are failing (cluster.failover.budget-ratio)"));
            return;
        }
        if (tried == null) {
            tried = new ArrayList<>(policy.settings().retries + 1);
        }
        tried.add(current);
        lastFailure = cause;
        retries++;
        if (delay == 0) {
            attempt();
            return;
        }
        try {
            policy.scheduler().schedule(this::attempt, delay, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException ex) {
            completeExceptionally(cause); // the kernel is shutting down
        }
    }

    /**
     * No endpoint left to try. After a failed attempt, that attempt's failure says more than "none
     * left", which is attached to it.
     */
    private void fail(Throwable selectFailure) {
        if (lastFailure == null) {
            completeExceptionally(selectFailure);
        } else {
            completeExceptionally(withNote(lastFailure, "after " + retries + " attempts, no other provider to try ("
                    + selectFailure.getMessage() + ")"));
        }
    }

    /** {@code failure} with {@code note} added to its description; the same status code, the original as cause. */
    private static Throwable withNote(Throwable failure, String note) {
        RpcException e = RpcException.find(failure);
        if (e == null) {
            return failure;
        }
        Status s = e.status();
        return s.withDescription((s.description() == null ? "" : s.description() + "; ") + note).withCause(e).asCheapException();
    }

    /**
     * The rule of {@link io.microrpc.spi.ClusterPolicy}: {@code UNAVAILABLE} may go to another endpoint,
     * {@code DEADLINE_EXCEEDED} only for an idempotent method, anything else (an application error, a bad
     * argument) never.
     */
    private boolean retryable(Throwable cause) {
        RpcException e = RpcException.find(cause);
        if (e == null) {
            return false;
        }
        return e.code() == Status.Code.UNAVAILABLE
                || e.code() == Status.Code.DEADLINE_EXCEEDED && invocation.method().isIdempotent();
    }
}
