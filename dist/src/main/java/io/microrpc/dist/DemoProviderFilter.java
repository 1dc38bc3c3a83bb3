package io.microrpc.dist;

import io.microrpc.spi.Invocation;
import io.microrpc.spi.Invoker;
import io.microrpc.spi.PluginContext;
import io.microrpc.spi.ServerFilter;
import io.microrpc.spi.ServerRequestContext;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The demo's server-side filter on each provider kernel: counts the calls the provider serves (so the
 * demo can show how the load balancer spreads them) and, on the provider meant to be slow, holds each
 * answer back by a fixed delay on the kernel's scheduler, blocking no thread. Outermost, so the delay
 * and the count cover every call. Thread-safe.
 */
final class DemoProviderFilter implements ServerFilter {

    static final String NAME = "demo-provider";

    private final long delayNanos;
    private final LongAdder calls = new LongAdder();
    /** The subject of the first client certificate seen (mutual TLS), or null. */
    private volatile String caller;

    private volatile ScheduledExecutorService scheduler;

    DemoProviderFilter(Duration delay) {
        this.delayNanos = delay.toNanos();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int order() {
        return Integer.MIN_VALUE;
    }

    @Override
    public void start(PluginContext context) {
        scheduler = context.scheduler();
    }

    /** Calls served so far. */
    long calls() {
        return calls.sum();
    }

    /** Who the provider saw calling, by the client certificate of mutual TLS; null without one. */
    String caller() {
        return caller;
    }

    boolean slow() {
        return delayNanos > 0;
    }

    @Override
    public CompletableFuture<Object> invoke(ServerRequestContext context, Invocation invocation, Invoker next) {
        calls.increment();
        if (caller == null && !context.peerCertificates().isEmpty()) {
            caller = context.peerCertificates().get(0).getSubjectX500Principal().getName();
        }
        CompletableFuture<Object> result = next.invoke(invocation);
        if (delayNanos == 0) {
            return result;
        }
        CompletableFuture<Object> delayed = new CompletableFuture<>();
        result.whenComplete((value, error) -> scheduler.schedule(
                () -> {
                    if (error != null) {
                        delayed.completeExceptionally(error);
                    } else {
                        delayed.complete(value);
                    }
                },
                delayNanos,
                TimeUnit.NANOSECONDS));
        return delayed;
    }
}
