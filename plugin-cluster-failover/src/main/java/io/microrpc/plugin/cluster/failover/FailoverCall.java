package io.microrpc.plugin.cluster.failover;

import io.microrpc.spi.ClientRequestContext;
import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.Providers;
import io.microrpc.spi.RpcException;
import io.microrpc.spi.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * One call under the failover policy: its {@link #result} completes with the first successful attempt's
 * result, or with the failure that ended the retries. Attempts run one after another, so the fields
 * are touched by one thread at a time (each attempt's completion happens-after its start).
 */
final class FailoverCall {

    private final CompletableFuture<Object> result = new CompletableFuture<>();
    private final Failover policy;
    private final ClientRequestContext context;
    private final Invocation invocation;
    private final Providers providers;
    private final RetryBudget budget;
    private Endpoint current;
    private List<Endpoint> tried;
    private int retries;
    private Throwable lastFailure;

    FailoverCall(
            Failover policy,
            ClientRequestContext context,
            Invocation invocation,
            Providers providers,
            RetryBudget budget) {
        this.policy = policy;
        this.context = context;
        this.invocation = invocation;
        this.providers = providers;
        this.budget = budget;
    }

    CompletableFuture<Object> start() {
        attempt();
        return result;
    }

    /** Never throws: whatever goes wrong completes this call, so no caller waits for ever. */
    private void attempt() {
        Endpoint e;
        try {
            e = policy.select(invocation, providers, tried == null ? List.of() : tried);
        } catch (RpcException ex) {
            fail(ex);
            return;
        } catch (RuntimeException | Error ex) {
            result.completeExceptionally(ex); // a load balancer plugin's bug, for instance
            return;
        }
        current = e;
        CompletableFuture<Object> attempt;
        try {
            attempt = providers.attempt(e, invocation);
        } catch (RuntimeException | Error ex) {
            policy.breakers().record(e, ex); // releases a half-open trial permit without judging the provider
            result.completeExceptionally(ex);
            return;
        }
        attempt.whenComplete(this::attemptDone);
    }

    /** An attempt finished. Whatever goes wrong in deciding what next, this call completes. */
    private void attemptDone(Object value, Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        try {
            policy.breakers().record(current, cause);
            if (cause == null) {
                result.complete(value);
                return;
            }
            retryOrFail(cause);
        } catch (RuntimeException | Error e) {
            if (cause == null) {
                result.complete(value);
            } else {
                result.completeExceptionally(cause);
            }
        }
    }

    private void retryOrFail(Throwable cause) {
        if (!retryable(cause) || retries >= policy.settings().retries || context.isCancelled()) {
            result.completeExceptionally(cause);
            return;
        }
        long delay = policy.backoffNanos(retries + 1);
        if (delay >= invocation.deadline().remainingNanos()) {
            result.completeExceptionally(cause); // no time left for another attempt
            return;
        }
        if (!budget.tryWithdraw()) {
            result.completeExceptionally(withNote(
                    cause,
                    "not retried: the retry budget of " + invocation.service()
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
        } catch (RuntimeException ex) {
            result.completeExceptionally(cause); // the kernel's scheduler is shut down: the kernel is closing
        }
    }

    /**
     * No endpoint left to try. After a failed attempt, that attempt's failure says more than "none
     * left", which is attached to it.
     */
    private void fail(Throwable selectFailure) {
        if (lastFailure == null) {
            result.completeExceptionally(selectFailure);
        } else {
            result.completeExceptionally(withNote(
                    lastFailure,
                    "after " + retries + " attempts, no other provider to try (" + selectFailure.getMessage() + ")"));
        }
    }

    /** {@code failure} with {@code note} added to its description; the same status code, the original as cause. */
    private static Throwable withNote(Throwable failure, String note) {
        RpcException e = RpcException.find(failure);
        if (e == null) {
            return failure;
        }
        Status s = e.status();
        return s.withDescription((s.description() == null ? "" : s.description() + "; ") + note)
                .withCause(e)
                .asException(e.progress());
    }

    /**
     * The rule of {@link io.microrpc.spi.ClusterPolicy}, by how far the call got: one that never left
     * ({@code NOT_SENT}, {@code UNAVAILABLE}) or that the server turned away without running it
     * ({@code REFUSED}: {@code UNAVAILABLE} when it is going away, {@code RESOURCE_EXHAUSTED} when it sheds
     * load) may go to another provider whatever the method; one that was sent and lost ({@code LOST}:
     * connection gone, no answer in time) only if the method is {@code @Idempotent}, as it may have run;
     * an answer (an application error, a status the service itself returned) never.
     */
    private boolean retryable(Throwable cause) {
        RpcException e = RpcException.find(cause);
        if (e == null) {
            return false;
        }
        Status.Code code = e.code();
        return switch (e.progress()) {
            case NOT_SENT -> code == Status.Code.UNAVAILABLE;
            case REFUSED -> code == Status.Code.UNAVAILABLE || code == Status.Code.RESOURCE_EXHAUSTED;
            case LOST ->
                invocation.method().isIdempotent()
                        && (code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED);
            case ANSWERED -> false;
        };
    }
}
