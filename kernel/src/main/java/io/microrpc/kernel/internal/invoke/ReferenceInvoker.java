package io.microrpc.kernel.internal.invoke;

import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.internal.metrics.CallMetrics;
import io.microrpc.kernel.internal.metrics.KernelMetrics;
import io.microrpc.kernel.internal.plugin.ContextLoader;
import io.microrpc.kernel.internal.plugin.ExtensionPoints;
import io.microrpc.kernel.internal.plugin.ExtensionSnapshots;
import io.microrpc.kernel.internal.plugin.Extensions;
import io.microrpc.kernel.internal.protocol.FrameTooLargeException;
import io.microrpc.kernel.internal.protocol.Frames;
import io.microrpc.kernel.internal.protocol.Protocol;
import io.microrpc.kernel.internal.protocol.RequestHeader;
import io.microrpc.kernel.internal.transport.ClientConnection;
import io.microrpc.spi.CallType;
import io.microrpc.spi.ClientFilter;
import io.microrpc.spi.ClusterPolicy;
import io.microrpc.spi.Deadline;
import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.LoadBalancer;
import io.microrpc.spi.MethodDescriptor;
import io.microrpc.spi.Providers;
import io.microrpc.spi.RpcException;
import io.microrpc.spi.Serializer;
import io.microrpc.spi.Status;
import io.microrpc.spi.Ticker;
import io.netty.buffer.ByteBuf;
import io.netty.util.Timer;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The client half of the invocation lifecycle for one reference: proxy call → invocation with a
 * deadline → client filters → cluster policy (or one attempt) → load balancer → encode straight into
 * a pooled buffer → write → pending entry timed out by the timer wheel → decoded result or typed error.
 *
 * <p>Reads one {@link Extensions} snapshot per call, so a call uses one consistent set of plugins
 * from start to end. Thread-safe.
 */
final class ReferenceInvoker implements InvocationHandler {

    private final ServiceModel model;
    private final Directory directory;
    private final ExtensionSnapshots extensions;
    private final KernelSettings settings;
    private final Ticker ticker;
    private final Timer timer;
    private final Duration timeout;
    /** The reference's own serializer, or null for the configured {@code call.serializer}. */
    private final String serializerName;

    private final KernelMetrics metrics;

    ReferenceInvoker(
            ServiceModel model,
            Directory directory,
            ExtensionSnapshots extensions,
            KernelSettings settings,
            Ticker ticker,
            Timer timer,
            Duration timeout,
            String serializerName,
            KernelMetrics metrics) {
        this.metrics = metrics;
        this.model = model;
        this.directory = directory;
        this.extensions = extensions;
        this.settings = settings;
        this.ticker = ticker;
        this.timer = timer;
        this.timeout = timeout;
        this.serializerName = serializerName;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return objectMethod(proxy, method, args);
        }
        MethodModel mm = method(method);
        if (mm == null) {
            return InvocationHandler.invokeDefault(proxy, method, args);
        }
        MethodDescriptor descriptor = mm.descriptor();
        Invocation invocation = Invocation.of(descriptor, args, Map.of(), Deadline.after(timeout, ticker));
        CallContext call = new CallContext(descriptor, invocation.deadline());
        start(call, invocation, mm.metrics(metrics, KernelMetrics.Side.CLIENT));
        if (descriptor.callType() == CallType.ASYNC) {
            return call.future;
        }
        return await(call.future);
    }

    /**
     * The model of a proxy method. The proxy passes the same Method objects on every call, so an
     * identity map (copied on the rare miss) avoids Method.equals on the hot path (measured: 10% of
     * client CPU samples).
     */
    private MethodModel method(Method method) {
        IdentityHashMap<Method, MethodModel> known = byIdentity;
        MethodModel mm = known.get(method);
        if (mm == null) {
            mm = model.method(method);
            if (mm != null) {
                IdentityHashMap<Method, MethodModel> copy = new IdentityHashMap<>(known);
                copy.put(method, mm);
                byIdentity = copy;
            }
        }
        return mm;
    }

    private volatile IdentityHashMap<Method, MethodModel> byIdentity = new IdentityHashMap<>();

    /**
     * Runs the call on one leased snapshot of the extensions, released when the call completes, and
     * completes the caller's future.
     */
    private void start(CallContext call, Invocation invocation, CallMetrics callMetrics) {
        long started = callMetrics == null ? 0 : ticker.nanoTime();
        Extensions ext = extensions.acquire();
        CompletableFuture<Object> result;
        try {
            result = FilterChain.invoke(
                    ext.clientCallFilters(), ClientFilter::invoke, call, invocation, inv -> cluster(ext, call, inv));
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        result.whenComplete((value, error) -> {
            ext.release();
            Throwable failure = unwrap(error);
            if (callMetrics != null) {
                record(callMetrics, failure, started);
            }
            call.future.completeFromCall(value, failure);
        });
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    private void record(CallMetrics callMetrics, Throwable failure, long started) {
        Status.Code code;
        if (failure == null) {
            code = Status.Code.OK;
        } else {
            RpcException e = RpcException.find(failure);
            code = e != null
                    ? e.code()
                    : failure instanceof CancellationException ? Status.Code.CANCELLED : Status.Code.UNKNOWN;
        }
        callMetrics.record(code, ticker.nanoTime() - started);
    }

    private CompletableFuture<Object> cluster(Extensions ext, CallContext call, Invocation invocation) {
        ClusterPolicy policy = ext.clusterPolicy(model.name());
        try {
            if (policy != null) {
                ClassLoader previous = ContextLoader.enter(policy);
                try {
                    return policy.invoke(call, invocation, new BoundProviders(ext, call));
                } finally {
                    ContextLoader.exit(previous);
                }
            }
            return attempt(ext, call, select(ext, call, invocation, List.of()), invocation);
        } catch (RpcException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static Object await(CompletableFuture<Object> result) throws Throwable {
        try {
            return result.get();
        } catch (ExecutionException e) {
            throw e.getCause();
        } catch (CancellationException e) {
            throw Status.of(Status.Code.CANCELLED)
                    .withDescription("the call was cancelled")
                    .asException(RpcException.Progress.LOST);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result.cancel(false);
            throw Status.of(Status.Code.CANCELLED)
                    .withDescription("interrupted while waiting for the result")
                    .asException(RpcException.Progress.LOST);
        }
    }

    /** The providers as a cluster policy sees them during one call: bound to that call and its snapshot. */
    private final class BoundProviders implements Providers {
        private final Extensions ext;
        private final CallContext call;

        BoundProviders(Extensions ext, CallContext call) {
            this.ext = ext;
            this.call = call;
        }

        @Override
        public List<Endpoint> candidates() {
            return directory.ready();
        }

        @Override
        public Endpoint select(Invocation invocation, Collection<Endpoint> excluded) {
            return ReferenceInvoker.this.select(ext, call, invocation, excluded);
        }

        @Override
        public CompletableFuture<Object> attempt(Endpoint endpoint, Invocation invocation) {
            return ReferenceInvoker.this.attempt(ext, call, endpoint, invocation);
        }

        @Override
        public Ticker ticker() {
            return ticker;
        }
    }

    private Endpoint select(Extensions ext, CallContext call, Invocation invocation, Collection<Endpoint> excluded) {
        List<Endpoint> ready = directory.ready();
        int available = ready.size();
        Endpoint only = available == 1 ? ready.get(0) : null;
        if (!excluded.isEmpty()) {
            available = 0;
            for (Endpoint e : ready) {
                if (!excluded.contains(e)) {
                    available++;
                    only = e;
                }
            }
        }
        if (available == 0) {
            throw Status.of(Status.Code.UNAVAILABLE)
                    .withDescription("no provider of " + model.name() + " is reachable ("
                            + (excluded.isEmpty() ? "" : "excluding " + excluded.size() + " that failed this call; ")
                            + directory.describe() + "); check that a provider runs there and the address is right")
                    .asException(RpcException.Progress.NOT_SENT);
        }
        if (available == 1) {
            return only;
        }
        LoadBalancer lb = ext.loadBalancer(model.name());
        if (lb == null) {
            throw ext.missing(
                            ExtensionPoints.LOAD_BALANCER,
                            ext.selections().preferences(ExtensionPoints.LOAD_BALANCER.key(), model.name()),
                            "choosing among " + available + " providers of " + model.name())
                    .asException(RpcException.Progress.NOT_SENT);
        }
        Endpoint chosen;
        ClassLoader previous = ContextLoader.enter(lb);
        try {
            chosen = selector(lb, ready).select(call, invocation, excluded);
        } catch (RuntimeException | LinkageError e) {
            throw Status.of(Status.Code.INTERNAL)
                    .withDescription("load balancer '" + lb.name() + "' failed to choose a provider of " + model.name()
                            + ": " + e)
                    .withCause(e)
                    .asException(RpcException.Progress.NOT_SENT);
        } finally {
            ContextLoader.exit(previous);
        }
        if (chosen == null || !ready.contains(chosen) || excluded.contains(chosen)) {
            throw Status.of(Status.Code.INTERNAL)
                    .withDescription("load balancer '" + lb.name() + "' returned " + chosen
                            + ", which is not one of the candidates"
                            + (excluded.isEmpty() ? "" : " it was left (excluded: " + excluded + ")"))
                    .asException(RpcException.Progress.NOT_SENT);
        }
        return chosen;
    }

    /**
     * The selector of {@code lb} for {@code ready}: the cached one while both are the same objects,
     * else a new one from {@link LoadBalancer#newSelector}, handed the one it replaces when the balancer
     * is the same. So a balancer hears of every change of the candidates, and of nothing else.
     */
    @SuppressWarnings("ReferenceEquality") // the same balancer instance and the same list object
    private LoadBalancer.Selector selector(LoadBalancer lb, List<Endpoint> ready) {
        Selection s = selection;
        if (s != null && s.lb == lb && s.candidates == ready) {
            return s.selector;
        }
        synchronized (this) {
            s = selection;
            if (s != null && s.lb == lb && s.candidates == ready) {
                return s.selector;
            }
            LoadBalancer.Selector next =
                    lb.newSelector(model.name(), ready, s != null && s.lb == lb ? s.selector : null);
            if (next == null) {
                throw new IllegalStateException("newSelector returned null (expected: a selector)");
            }
            selection = new Selection(lb, ready, next);
            return next;
        }
    }

    /** The current load balancer's selector, for the current candidates. */
    private record Selection(LoadBalancer lb, List<Endpoint> candidates, LoadBalancer.Selector selector) {}

    private volatile Selection selection;

    /**
     * Drops the cached selector when {@code next} has another load balancer for this service, so a
     * replaced balancer (and its plugin's class loader) is not held by a reference nobody calls.
     */
    @SuppressWarnings("ReferenceEquality") // which instance is active, not an equal one
    void extensionsChanged(Extensions next) {
        Selection s = selection;
        if (s != null && next.loadBalancer(model.name()) != s.lb) {
            synchronized (this) {
                if (selection == s) {
                    selection = null;
                }
            }
        }
    }

    /** One attempt on {@code endpoint}: the attempt filters, then the send. */
    private CompletableFuture<Object> attempt(
            Extensions ext, CallContext call, Endpoint endpoint, Invocation invocation) {
        AttemptContext attempt = call.nextAttempt(endpoint);
        if (attempt == null) {
            return CompletableFuture.failedFuture(Status.of(Status.Code.CANCELLED)
                    .withDescription(invocation.method().fullName() + " was cancelled; no new attempt")
                    .asException(RpcException.Progress.NOT_SENT));
        }
        return FilterChain.invoke(
                ext.clientAttemptFilters(),
                ClientFilter::invokeAttempt,
                attempt,
                invocation,
                inv -> send(ext, attempt, endpoint, inv));
    }

    private CompletableFuture<Object> send(
            Extensions ext, AttemptContext attempt, Endpoint endpoint, Invocation invocation) {
        MethodDescriptor method = invocation.method();
        Serializer serializer = ext.serializerFor(model.name(), serializerName);
        if (serializer == null) {
            return CompletableFuture.failedFuture(ext.missing(
                            ExtensionPoints.SERIALIZER,
                            ext.serializerWanted(model.name(), serializerName),
                            "calling " + method.fullName())
                    .asException(RpcException.Progress.NOT_SENT));
        }
        if (!(endpoint instanceof EndpointImpl)) {
            return CompletableFuture.failedFuture(Status.of(Status.Code.INTERNAL)
                    .withDescription("endpoint " + endpoint + " was not provided by this kernel")
                    .asException(RpcException.Progress.NOT_SENT));
        }
        EndpointImpl target = (EndpointImpl) endpoint;
        long remaining = invocation.deadline().remainingNanos();
        if (remaining <= 0) {
            return CompletableFuture.failedFuture(Status.of(Status.Code.DEADLINE_EXCEEDED)
                    .withDescription("the deadline of " + method.fullName() + " passed before it was sent")
                    .asException(RpcException.Progress.NOT_SENT));
        }
        ClientConnection connection = target.connection();
        boolean oneWay = method.callType() == CallType.ONE_WAY;
        long id = connection.nextRequestId();
        MethodModel mm = model.method(method.name());
        ByteBuf frame = Frames.start(
                connection.alloc(),
                mm.requestSize().get(),
                oneWay ? Protocol.FLAG_ONE_WAY : 0,
                serializer.id(),
                (byte) 0,
                id);
        try {
            RequestHeader.write(frame, method.service(), method.name(), remaining, invocation.attachments());
            PayloadCodec.writeValues(frame, serializer, invocation.arguments(), mm.parameterTypes());
            Frames.finish(frame, 0, settings.protocolMaxFrameSize());
            mm.requestSize().observe(frame.readableBytes());
        } catch (FrameTooLargeException e) {
            frame.release();
            return CompletableFuture.failedFuture(Status.of(Status.Code.RESOURCE_EXHAUSTED)
                    .withDescription("the request of " + method.fullName() + ": " + e.getMessage())
                    .asException(RpcException.Progress.NOT_SENT));
        } catch (Exception | LinkageError e) {
            frame.release();
            return CompletableFuture.failedFuture(Status.of(Status.Code.INVALID_ARGUMENT)
                    .withDescription("cannot serialize the " + "arguments of " + method.fullName() + " with "
                            + serializer.name() + ": " + e.getMessage())
                    .withCause(e)
                    .asException(RpcException.Progress.NOT_SENT));
        }
        if (oneWay) {
            return connection.sendOneWay(frame)
                    ? CompletableFuture.completedFuture(null)
                    : CompletableFuture.failedFuture(notReady(connection, method));
        }
        ClientCall call =
                new ClientCall(attempt.call(), target, id, method, serializer, model.allowedTypes(), ticker, remaining);
        if (!attempt.call().started(call)) {
            frame.release();
            call.failUnsent(Status.of(Status.Code.CANCELLED)
                    .withDescription(method.fullName() + " was cancelled; not sent")
                    .asException(RpcException.Progress.NOT_SENT));
            return call.future;
        }
        call.timeout(timer.newTimeout(call, remaining, TimeUnit.NANOSECONDS));
        if (!connection.send(id, frame, call)) {
            call.failUnsent(notReady(connection, method));
        } else if (call.future.isDone()) {
            // Timed out between registration and now: make sure no pending entry stays behind.
            connection.cancel(id);
        }
        return call.future;
    }

    private static RpcException notReady(ClientConnection connection, MethodDescriptor method) {
        return Status.of(Status.Code.UNAVAILABLE)
                .withDescription("connection to " + connection.address() + " is " + connection.state() + "; "
                        + method.fullName() + " was not sent")
                .asException(RpcException.Progress.NOT_SENT);
    }

    private Object objectMethod(Object proxy, Method method, Object[] args) {
        switch (method.getName()) {
            case "equals":
                return proxy == args[0];
            case "hashCode":
                return System.identityHashCode(proxy);
            case "toString":
                return "reference " + model.name() + " -> " + directory.describe();
            default:
                throw new UnsupportedOperationException(method.toString());
        }
    }
}
