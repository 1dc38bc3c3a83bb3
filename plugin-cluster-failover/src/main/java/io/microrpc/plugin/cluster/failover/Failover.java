package io.microrpc.plugin.cluster.failover;

import io.microrpc.spi.ClientRequestContext;
import io.microrpc.spi.ClusterPolicy;
import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.PluginContext;
import io.microrpc.spi.Providers;
import io.microrpc.spi.RpcException;
import io.microrpc.spi.Status;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import org.pf4j.Extension;

/**
 * The {@code failover} cluster policy: a call that fails in a way another provider may not
 * ({@code UNAVAILABLE}; {@code DEADLINE_EXCEEDED} for idempotent methods with time left) is retried on
 * a provider it has not tried yet, after a jittered exponential backoff, while the call's deadline and
 * the service's {@link RetryBudget} allow. Each provider has a circuit breaker ({@link CircuitBreakers}):
 * one that keeps failing is left out of selection for a while instead of costing every call a retry.
 *
 * <p>Application errors are never retried: the provider answered. Thread-safe; {@link #invoke} runs on
 * the caller's thread and never blocks; a retry after a backoff runs on the kernel's scheduler.
 */
@Extension
public final class Failover implements ClusterPolicy {

    private volatile FailoverSettings settings;
    private volatile CircuitBreakers breakers;
    private volatile PluginContext context;
    private final ConcurrentHashMap<String, RetryBudget> budgets = new ConcurrentHashMap<>();

    @Override
    public String name() {
        return "failover";
    }

    @Override
    public void start(PluginContext context) {
        FailoverSettings s = FailoverSettings.parse(context.config());
        breakers = new CircuitBreakers(s.breakerFailures, s.breakerOpenNanos, context.ticker());
        this.context = context;
        settings = s;
    }

    @Override
    public CompletableFuture<Object> invoke(ClientRequestContext context, Invocation invocation, Providers providers) {
        RetryBudget budget = budget(invocation.service());
        budget.deposit();
        return new FailoverCall(this, context, invocation, providers, budget).start();
    }

    private RetryBudget budget(String service) {
        RetryBudget b = budgets.get(service);
        if (b == null) {
            FailoverSettings s = settings;
            b = budgets.computeIfAbsent(service, x -> new RetryBudget(s.budgetRatio, s.budgetMinimum));
        }
        return b;
    }

    FailoverSettings settings() {
        return settings;
    }

    CircuitBreakers breakers() {
        return breakers;
    }

    /** Where retries after a backoff run: the kernel's scheduler. */
    ScheduledExecutorService scheduler() {
        return context.scheduler();
    }

    /**
     * Picks an endpoint not in {@code tried} whose circuit lets the call through.
     *
     * @throws RpcException {@code UNAVAILABLE} when none is left, saying whether circuits are why
     */
    Endpoint select(Invocation invocation, Providers providers, Collection<Endpoint> tried) {
        CircuitBreakers b = breakers;
        if (b.allClosed()) {
            return providers.select(invocation, tried);
        }
        List<Endpoint> excluded = new ArrayList<>(tried);
        List<Endpoint> candidates = providers.candidates();
        int blocked = 0;
        for (Endpoint e : candidates) {
            if (!tried.contains(e) && b.blocks(e)) {
                excluded.add(e);
                blocked++;
            }
        }
        while (true) {
            Endpoint chosen;
            try {
                chosen = providers.select(invocation, excluded);
            } catch (RpcException e) {
                if (blocked > 0 && e.code() == Status.Code.UNAVAILABLE && excluded.size() >= candidates.size()) {
                    throw CircuitBreakers.allOpen(
                            invocation.service(), candidates.size(), b.nextTrialNanos(candidates));
                }
                throw e;
            }
            if (b.tryAcquire(chosen)) {
                return chosen;
            }
            excluded.add(chosen); // its trial was taken by another call meanwhile
            blocked++;
        }
    }

    /** The delay before retry number {@code retry} (1-based): exponential, capped, jittered to 50–100%. */
    long backoffNanos(int retry) {
        FailoverSettings s = settings;
        if (s.backoffInitialNanos == 0) {
            return 0;
        }
        long d = s.backoffInitialNanos << Math.min(retry - 1, 30);
        if (d <= 0 || d > s.backoffMaxNanos) {
            d = s.backoffMaxNanos;
        }
        return d / 2 + ThreadLocalRandom.current().nextLong(d / 2 + 1);
    }
}
