package io.microrpc.kernel.internal.invoke;

import io.microrpc.kernel.internal.metrics.CallMetrics;
import io.microrpc.kernel.internal.plugin.ContextLoader;
import io.microrpc.kernel.internal.plugin.Extensions;
import io.microrpc.kernel.internal.protocol.Frame;
import io.microrpc.kernel.internal.protocol.FrameTooLargeException;
import io.microrpc.kernel.internal.protocol.Frames;
import io.microrpc.kernel.internal.protocol.Protocol;
import io.microrpc.kernel.internal.transport.ServerConnection;
import io.microrpc.spi.CurrentServerContext;
import io.microrpc.spi.Deadline;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.Invoker;
import io.microrpc.spi.MethodDescriptor;
import io.microrpc.spi.RpcException;
import io.microrpc.spi.Serializer;
import io.microrpc.spi.ServerFilter;
import io.microrpc.spi.ServerRequestContext;
import io.microrpc.spi.Status;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call a server received, from its request frame to its answer: read the arguments, run the server
 * filters and the implementation, write the result or the error, and end the call exactly once (its
 * count on the connection, its lease on the extensions, its metrics). Also the call's {@link
 * ServerRequestContext}: a {@code CANCEL} frame from the client, or the connection closing, cancels it;
 * a call cancelled before it started is not run, and a cancelled call's answer is not sent.
 */
final class ServerCall implements ServerRequestContext, Runnable {

    private static final Logger log = LoggerFactory.getLogger(ServerCall.class);

    private final ServerDispatcher dispatcher;
    private final ServerConnection connection;
    private final Frame request;
    private final Extensions ext;
    private final long started;
    private final Runnable onCancel = this::cancelled;

    // Set once the request is routed (before the call is handed to a worker).
    private Deadline deadline;
    private ExportedService service;
    private MethodModel method;
    private CallMetrics metrics;
    private Map<String, String> attachments;

    private volatile boolean cancelled;
    private volatile boolean implementationRan;
    // Guarded by this.
    private List<Runnable> cancelListeners;
    private boolean ended;

    ServerCall(ServerDispatcher dispatcher, ServerConnection connection, Frame request, Extensions ext, long started) {
        this.dispatcher = dispatcher;
        this.connection = connection;
        this.request = request;
        this.ext = ext;
        this.started = started;
    }

    /** The request was routed to {@code method} of {@code service}; from now on the client may cancel it. */
    void routed(
            Deadline deadline,
            Map<String, String> attachments,
            ExportedService service,
            MethodModel method,
            CallMetrics metrics) {
        this.deadline = deadline;
        this.attachments = attachments;
        this.service = service;
        this.method = method;
        this.metrics = metrics;
        if (!request.isOneWay()) {
            connection.track(request.requestId(), onCancel);
        }
    }

    /** Counts the call in {@code metrics} if it fails before it was routed. */
    void metrics(CallMetrics metrics) {
        this.metrics = metrics;
    }

    boolean runsOnIoThread() {
        return service.runOnIoThread;
    }

    // --- ServerRequestContext

    @Override
    public MethodDescriptor method() {
        return method.descriptor();
    }

    @Override
    public Deadline deadline() {
        return deadline;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return connection.remoteSocketAddress();
    }

    @Override
    public List<X509Certificate> peerCertificates() {
        return connection.peerCertificates();
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public void onCancel(Runnable listener) {
        synchronized (this) {
            if (!cancelled) {
                if (!ended) {
                    if (cancelListeners == null) {
                        cancelListeners = new ArrayList<>(1);
                    }
                    cancelListeners.add(listener);
                }
                return;
            }
        }
        listener.run();
    }

    /** The client cancelled the call, or its connection closed. Event loop. */
    private void cancelled() {
        List<Runnable> listeners;
        synchronized (this) {
            if (ended || cancelled) {
                return;
            }
            cancelled = true;
            listeners = cancelListeners;
            cancelListeners = null;
        }
        if (listeners != null) {
            for (Runnable l : listeners) {
                try {
                    l.run();
                } catch (RuntimeException e) {
                    log.warn(
                            "A cancellation listener of {} threw",
                            method.descriptor().fullName(),
                            e);
                }
            }
        }
    }

    // --- processing

    /** On a worker (or the IO thread for a service that opted in). */
    @Override
    public void run() {
        String fullName = method.descriptor().fullName();
        if (cancelled) {
            request.release();
            drop();
            return;
        }
        if (deadline.isExpired()) {
            request.release();
            fail(
                    Status.of(Status.Code.DEADLINE_EXCEEDED)
                            .withDescription(
                                    "the deadline of " + fullName + " passed before the server started it; not run"),
                    null,
                    true);
            return;
        }
        Serializer serializer = ext.serializer(request.serializerId());
        if (serializer == null) {
            request.release();
            fail(
                    Status.of(Status.Code.UNIMPLEMENTED)
                            .withDescription("serializer id " + request.serializerId()
                                    + " is not loaded on this server (loaded: " + ext.serializerNames()
                                    + "); install the codec plugin the caller uses, or set the caller's"
                                    + " call.serializer to one of these"),
                    null,
                    true);
            return;
        }
        Object[] args;
        try {
            args = PayloadCodec.readValues(
                    request.body(), serializer, method.parameterTypes(), service.model.allowedTypes());
        } catch (Exception | Error e) {
            // A codec is plugin code reading hostile bytes: any Error too (fuzzed protostuff input threw
            // OutOfMemoryError and AssertionError) must answer the call and end it, or it stays in flight.
            String reason = e instanceof Error ? e.toString() : e.getMessage();
            fail(
                    Status.of(Status.Code.INVALID_ARGUMENT)
                            .withDescription("cannot read the arguments of " + fullName + " with serializer "
                                    + serializer.name() + ": " + reason),
                    null,
                    true);
            return;
        } finally {
            request.release();
        }
        Invocation invocation = Invocation.of(method.descriptor(), args, attachments, deadline);
        CompletableFuture<Object> result =
                FilterChain.invoke(ext.serverFilters(), ServerFilter::invoke, this, invocation, implementation);
        result.whenComplete((value, error) -> respond(serializer, value, error));
    }

    /** The end of the server filter chain: the implementation, with this call as the current context. */
    private final Invoker implementation = invocation -> {
        implementationRan = true;
        ClassLoader previousLoader = ContextLoader.enter(service.implementation);
        ServerRequestContext previous = CurrentServerContext.enter(this);
        try {
            Object r = method.invoke(service.implementation, invocation.arguments());
            if (r instanceof CompletableFuture) {
                @SuppressWarnings("unchecked")
                CompletableFuture<Object> f = (CompletableFuture<Object>) r;
                return f;
            }
            return CompletableFuture.completedFuture(r);
        } catch (Throwable t) {
            return CompletableFuture.failedFuture(t);
        } finally {
            CurrentServerContext.restore(previous);
            ContextLoader.exit(previousLoader);
        }
    };

    private void respond(Serializer serializer, Object value, Throwable error) {
        if (cancelled) {
            drop();
            return;
        }
        MethodDescriptor descriptor = method.descriptor();
        if (error != null) {
            Throwable cause =
                    error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof RpcException rpc) {
                // Refused only when a filter turned it away before the implementation ran, and said so; what
                // the implementation throws (e.g. a status relayed from its own downstream call) ran.
                boolean refused = !implementationRan
                        && (rpc.progress() == RpcException.Progress.REFUSED
                                || rpc.progress() == RpcException.Progress.NOT_SENT);
                fail(rpc.status(), rpc.remoteType(), refused);
            } else {
                log.debug("{} threw", descriptor.fullName(), cause);
                fail(
                        Status.of(Status.Code.APPLICATION_ERROR).withDescription(cause.getMessage()),
                        cause.getClass().getName(),
                        false);
            }
            return;
        }
        if (request.isOneWay()) {
            end(Status.Code.OK);
            return;
        }
        ByteBuf buf = Frames.start(
                connection.alloc(),
                method.responseSize().get(),
                Protocol.FLAG_RESPONSE,
                serializer.id(),
                (byte) 0,
                request.requestId());
        try {
            PayloadCodec.writeValue(buf, serializer, value, descriptor.returnType());
            Frames.finish(buf, 0, dispatcher.maxFrameSize());
            method.responseSize().observe(buf.readableBytes());
        } catch (FrameTooLargeException e) {
            buf.release();
            fail(
                    Status.of(Status.Code.RESOURCE_EXHAUSTED)
                            .withDescription("the result of " + descriptor.fullName() + ": " + e.getMessage()),
                    null,
                    false);
            return;
        } catch (Exception | LinkageError e) {
            buf.release();
            log.warn("Cannot serialize the result of {}", descriptor.fullName(), e);
            fail(
                    Status.of(Status.Code.INTERNAL)
                            .withDescription("the server cannot serialize the result of " + descriptor.fullName()
                                    + " with " + serializer.name() + ": " + e.getMessage()),
                    null,
                    false);
            return;
        }
        // Ended (counted, and off its connection) before the answer leaves: a client that has it may
        // send the next call.
        end(Status.Code.OK);
        connection.send(buf);
        dispatcher.done(ext);
    }

    /**
     * Answers with {@code status}. {@code refused}: the implementation did not run, so the caller may send
     * the call elsewhere.
     */
    void fail(Status status, String remoteType, boolean refused) {
        end(status.code());
        if (!request.isOneWay()) {
            connection.send(Frames.error(
                    connection.alloc(), request.requestId(), request.serializerId(), status, remoteType, refused));
        } else {
            log.debug("One-way call failed: {}", status);
        }
        dispatcher.done(ext);
    }

    /** The call was cancelled: it ends without an answer. */
    private void drop() {
        end(Status.Code.CANCELLED);
        dispatcher.done(ext);
    }

    private void end(Status.Code code) {
        synchronized (this) {
            ended = true;
            cancelListeners = null;
        }
        connection.untrack(request.requestId(), onCancel);
        if (metrics != null) {
            metrics.record(code, dispatcher.nanoTime() - started);
        }
        connection.callEnded();
    }
}
