package io.microrpc.testkit;

import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.Providers;
import io.microrpc.spi.RpcException;
import io.microrpc.spi.Status;
import io.microrpc.spi.Ticker;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The {@link Providers} of one call, for cluster policy tests: a fixed list of endpoints, each answering
 * as scripted ({@link #fail}, {@link #hang}; by default with {@code "answer from <address>"}), the first
 * candidate not excluded as the load balancer's choice, and a record of every attempt. Like the kernel,
 * it makes no attempt once the call's context was cancelled. Thread-safe.
 */
public final class TestProviders implements Providers {

    private final TestClientContext call;
    private final List<Endpoint> endpoints;
    private final Ticker ticker;
    private final Map<Endpoint, RpcException> failures = new HashMap<>();
    private final Map<Endpoint, CompletableFuture<Object>> hanging = new HashMap<>();
    private final List<Endpoint> attempts = new ArrayList<>();

    public TestProviders(TestClientContext call, Ticker ticker, Endpoint... endpoints) {
        this.call = call;
        this.ticker = ticker;
        this.endpoints = List.of(endpoints);
    }

    /** Attempts on {@code endpoint} fail with {@code code}, having got as far as {@code progress}. */
    public synchronized TestProviders fail(Endpoint endpoint, Status.Code code, RpcException.Progress progress) {
        failures.put(
                endpoint,
                Status.of(code)
                        .withDescription(endpoint.address() + " failed with " + code)
                        .asException(progress));
        return this;
    }

    /** Attempts on {@code endpoint} never complete (until the test completes the returned future). */
    public synchronized CompletableFuture<Object> hang(Endpoint endpoint) {
        return hanging.computeIfAbsent(endpoint, e -> new CompletableFuture<>());
    }

    /** The endpoints attempted so far, in order. */
    public synchronized List<Endpoint> attempts() {
        return List.copyOf(attempts);
    }

    @Override
    public List<Endpoint> candidates() {
        return endpoints;
    }

    @Override
    public Endpoint select(Invocation invocation, Collection<Endpoint> excluded) {
        for (Endpoint e : endpoints) {
            if (!excluded.contains(e)) {
                return e;
            }
        }
        throw Status.of(Status.Code.UNAVAILABLE)
                .withDescription(
                        "no provider left (" + endpoints.size() + " candidates, " + excluded.size() + " excluded)")
                .asException(RpcException.Progress.NOT_SENT);
    }

    @Override
    public synchronized CompletableFuture<Object> attempt(Endpoint endpoint, Invocation invocation) {
        if (!endpoints.contains(endpoint)) {
            throw new AssertionError("attempt on " + endpoint + ", which is not a candidate");
        }
        if (call.isCancelled()) {
            return CompletableFuture.failedFuture(Status.of(Status.Code.CANCELLED)
                    .withDescription("cancelled")
                    .asException(RpcException.Progress.NOT_SENT));
        }
        attempts.add(endpoint);
        CompletableFuture<Object> hang = hanging.get(endpoint);
        if (hang != null) {
            return hang;
        }
        RpcException failure = failures.get(endpoint);
        return failure != null
                ? CompletableFuture.failedFuture(failure)
                : CompletableFuture.completedFuture("answer from " + endpoint.address());
    }

    @Override
    public Ticker ticker() {
        return ticker;
    }
}
