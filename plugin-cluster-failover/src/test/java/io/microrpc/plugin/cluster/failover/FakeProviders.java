package io.microrpc.plugin.cluster.failover;

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
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A cluster whose endpoints answer as the test says: each endpoint fails with a status or succeeds.
 * Selection is deterministic: the first endpoint (in list order) that is not excluded.
 */
class FakeProviders implements Providers {

    private final List<Endpoint> endpoints;
    private final Map<Endpoint, Status.Code> failing = new HashMap<>();
    private final Map<Endpoint, RpcException.Progress> progress = new HashMap<>();
    private final Ticker ticker;
    final List<Endpoint> calls = new CopyOnWriteArrayList<>();

    FakeProviders(Ticker ticker, Endpoint... endpoints) {
        this.ticker = ticker;
        this.endpoints = List.of(endpoints);
    }

    /**
     * {@code endpoint} fails every call with {@code code} until {@link #heal}: as a lost call (sent, no
     * answer) for {@code UNAVAILABLE} and {@code DEADLINE_EXCEEDED}, as an answer for any other code.
     */
    synchronized FakeProviders fail(Endpoint endpoint, Status.Code code) {
        boolean lost = code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
        return fail(endpoint, code, lost ? RpcException.Progress.LOST : RpcException.Progress.ANSWERED);
    }

    synchronized FakeProviders fail(Endpoint endpoint, Status.Code code, RpcException.Progress howFar) {
        failing.put(endpoint, code);
        progress.put(endpoint, howFar);
        return this;
    }

    synchronized FakeProviders heal(Endpoint endpoint) {
        failing.remove(endpoint);
        return this;
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
                .withDescription("no provider left")
                .asException(RpcException.Progress.NOT_SENT);
    }

    @Override
    public synchronized CompletableFuture<Object> attempt(Endpoint endpoint, Invocation invocation) {
        calls.add(endpoint);
        Status.Code code = failing.get(endpoint);
        if (code == null) {
            return CompletableFuture.completedFuture(
                    "answer from " + endpoint.instance().address());
        }
        RpcException e = Status.of(code)
                .withDescription(endpoint.instance().address() + " failed with " + code)
                .asException(progress.get(endpoint));
        return CompletableFuture.failedFuture(e);
    }

    @Override
    public Ticker ticker() {
        return ticker;
    }

    List<String> calledAddresses() {
        List<String> out = new ArrayList<>();
        calls.forEach(e -> out.add(e.instance().address()));
        return out;
    }
}
