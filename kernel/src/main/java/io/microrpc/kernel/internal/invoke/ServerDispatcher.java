package io.microrpc.kernel.internal.invoke;

import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.internal.metrics.CallMetrics;
import io.microrpc.kernel.internal.metrics.KernelMetrics;
import io.microrpc.kernel.internal.plugin.ContextLoader;
import io.microrpc.kernel.internal.plugin.ExtensionRegistry;
import io.microrpc.kernel.internal.plugin.Extensions;
import io.microrpc.kernel.internal.protocol.Frame;
import io.microrpc.kernel.internal.protocol.FrameTooLargeException;
import io.microrpc.kernel.internal.protocol.Frames;
import io.microrpc.kernel.internal.protocol.MalformedFrameException;
import io.microrpc.kernel.internal.protocol.Protocol;
import io.microrpc.kernel.internal.protocol.RequestHeader;
import io.microrpc.kernel.internal.transport.KernelThreadFactory;
import io.microrpc.kernel.internal.transport.RequestHandler;
import io.microrpc.kernel.internal.transport.ServerConnection;
import io.microrpc.spi.Deadline;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.Invoker;
import io.microrpc.spi.RpcException;
import io.microrpc.spi.Serializer;
import io.microrpc.spi.Status;
import io.microrpc.spi.Ticker;
import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server half of the invocation lifecycle: decode the request's metadata, find the service and
 * method (else {@code NOT_FOUND}), skip work whose deadline has passed, deserialize the arguments with
 * the codec the header names, run the server filters and the implementation on a worker (or on the IO
 * thread when the service opted in), and encode the result with the same codec.
 *
 * <p>Every failure becomes a status the caller receives; the connection stays usable. Counts calls in
 * flight so that shutdown can drain them.
 */
public final class ServerDispatcher implements RequestHandler, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServerDispatcher.class);

    private final ExportedServices services;
    private final ExtensionRegistry extensions;
    private final KernelSettings settings;
    private final Ticker ticker;
    private final KernelMetrics metrics;
    private final ThreadPoolExecutor workers;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Object drainLock = new Object();

    public ServerDispatcher(
            ExportedServices services,
            ExtensionRegistry extensions,
            KernelSettings settings,
            Ticker ticker,
            KernelMetrics metrics) {
        this.services = services;
        this.metrics = metrics;
        this.extensions = extensions;
        this.settings = settings;
        this.ticker = ticker;
        this.workers = new ThreadPoolExecutor(
                settings.serverWorkerThreads(),
                settings.serverWorkerThreads(),
                60,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(settings.serverWorkerQueue()),
                new KernelThreadFactory("microrpc-worker"));
        this.workers.allowCoreThreadTimeOut(true);
    }

    /** Calls received and not yet answered. */
    public int inFlight() {
        return inFlight.get();
    }

    @Override
    public void onRequest(ServerConnection connection, Frame frame) {
        inFlight.incrementAndGet();
        int onConnection = connection.callStarted();
        long started = ticker.nanoTime();
        // The lease keeps this snapshot's plugins (codec, filters, service plugin) loaded until the
        // response is written, even if they are replaced meanwhile.
        Extensions ext = extensions.acquire();
        RequestHeader header;
        RequestNames names = RequestNames.of(connection);
        try {
            names.read(frame.body());
            header = RequestHeader.readAfterNames(frame.body(), names.service, names.method);
        } catch (MalformedFrameException e) {
            frame.release();
            fail(
                    connection,
                    frame,
                    Status.of(Status.Code.INVALID_ARGUMENT)
                            .withDescription("malformed request metadata: " + e.getMessage()),
                    null,
                    ext,
                    metrics.calls(KernelMetrics.Side.SERVER, KernelMetrics.UNKNOWN, KernelMetrics.UNKNOWN),
                    started,
                    true);
            return;
        }
        Deadline deadline = Deadline.afterNanos(header.timeoutNanos(), ticker);
        ExportedService service = services.get(header.service());
        MethodModel method = service == null ? null : service.model.method(header.method());
        if (method == null) {
            frame.release();
            String description = service == null
                    ? "no service " + header.service() + " on this server (exported: " + services.names() + ")"
                    : "service " + header.service() + " has no method '" + header.method() + "' (methods: "
                            + new java.util.TreeSet<>(service.model.methodNames()) + ")";
            // Only names this server exports become labels: a caller cannot create metrics at will.
            fail(
                    connection,
                    frame,
                    Status.of(Status.Code.NOT_FOUND).withDescription(description),
                    null,
                    ext,
                    metrics.calls(
                            KernelMetrics.Side.SERVER,
                            service == null ? KernelMetrics.UNKNOWN : service.model.name(),
                            KernelMetrics.UNKNOWN),
                    started,
                    true);
            return;
        }
        names.resolved(frame.body(), service.model.name(), method.descriptor().name());
        CallMetrics callMetrics = method.metrics(metrics, KernelMetrics.Side.SERVER);
        if (onConnection > settings.serverMaxCallsPerConnection()) {
            frame.release();
            fail(
                    connection,
                    frame,
                    Status.of(Status.Code.RESOURCE_EXHAUSTED)
                            .withDescription("this connection has "
                                    + settings.serverMaxCallsPerConnection()
                                    + " calls in flight already (server.max-calls-per-connection); "
                                    + method.descriptor().fullName() + " not run"),
                    null,
                    ext,
                    callMetrics,
                    started,
                    true);
            return;
        }
        if (service.runOnIoThread) {
            process(connection, frame, header, deadline, service, method, ext, callMetrics, started);
            return;
        }
        try {
            workers.execute(
                    () -> process(connection, frame, header, deadline, service, method, ext, callMetrics, started));
        } catch (RejectedExecutionException e) {
            frame.release();
            fail(
                    connection,
                    frame,
                    Status.of(Status.Code.RESOURCE_EXHAUSTED)
                            .withDescription("server is saturated: "
                                    + settings.serverWorkerThreads() + " workers busy and "
                                    + settings.serverWorkerQueue()
                                    + " calls queued (server.worker-threads, server.worker-queue)"),
                    null,
                    ext,
                    callMetrics,
                    started,
                    true);
        }
    }

    private void process(
            ServerConnection connection,
            Frame frame,
            RequestHeader header,
            Deadline deadline,
            ExportedService service,
            MethodModel method,
            Extensions ext,
            CallMetrics callMetrics,
            long started) {
        String fullName = method.descriptor().fullName();
        if (deadline.isExpired()) {
            frame.release();
            fail(
                    connection,
                    frame,
                    Status.of(Status.Code.DEADLINE_EXCEEDED)
                            .withDescription(
                                    "the deadline of " + fullName + " passed before the server started it; not run"),
                    null,
                    ext,
                    callMetrics,
                    started,
                    true);
            return;
        }
        Serializer serializer = ext.serializer(frame.serializerId());
        if (serializer == null) {
            frame.release();
            fail(
                    connection,
                    frame,
                    Status.of(Status.Code.UNIMPLEMENTED)
                            .withDescription(
                                    "serializer id "
                                            + frame.serializerId() + " is not loaded on this server (loaded: "
                                            + ext.serializerNames()
                                            + "); install the codec plugin the caller uses, or set the caller's call.serializer to one of these"),
                    null,
                    ext,
                    callMetrics,
                    started,
                    true);
            return;
        }
        Object[] args;
        try {
            args = PayloadCodec.readValues(
                    frame.body(), serializer, method.parameterTypes(), service.model.allowedTypes());
        } catch (Exception | Error e) {
            // A codec is plugin code reading hostile bytes: any Error too (fuzzed protostuff input threw
            // OutOfMemoryError and AssertionError) must answer the call and end it, or it stays in flight.
            String reason = e instanceof Error ? e.toString() : e.getMessage();
            fail(
                    connection,
                    frame,
                    Status.of(Status.Code.INVALID_ARGUMENT)
                            .withDescription("cannot read the arguments of " + fullName + " with serializer "
                                    + serializer.name() + ": " + reason),
                    null,
                    ext,
                    callMetrics,
                    started,
                    true);
            return;
        } finally {
            frame.release();
        }
        Invocation invocation = Invocation.of(method.descriptor(), args, header.attachments(), deadline);
        ImplementationCall implementation = new ImplementationCall(service, method);
        CompletableFuture<Object> result = FilterChain.invoke(ext.serverFilters(), invocation, implementation);
        result.whenComplete((value, error) -> respond(
                connection,
                frame,
                serializer,
                method,
                value,
                error,
                ext,
                callMetrics,
                started,
                !implementation.invoked));
    }

    /**
     * The end of the server filter chain: calls the implementation, and remembers that it did, so a
     * failure can say whether the call ran (a filter's refusal, e.g. a rate limit, did not run it).
     */
    private static final class ImplementationCall implements Invoker {
        private final ExportedService service;
        private final MethodModel method;
        volatile boolean invoked;

        ImplementationCall(ExportedService service, MethodModel method) {
            this.service = service;
            this.method = method;
        }

        @Override
        public CompletableFuture<Object> invoke(Invocation invocation) {
            invoked = true;
            return call(service, method, invocation);
        }
    }

    private static CompletableFuture<Object> call(ExportedService service, MethodModel method, Invocation invocation) {
        ClassLoader previous = ContextLoader.enter(service.implementation);
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
            ContextLoader.exit(previous);
        }
    }

    private void respond(
            ServerConnection connection,
            Frame request,
            Serializer serializer,
            MethodModel method,
            Object value,
            Throwable error,
            Extensions ext,
            CallMetrics callMetrics,
            long started,
            boolean notRun) {
        if (error != null) {
            Throwable cause =
                    error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            RpcException rpc = cause instanceof RpcException ? (RpcException) cause : null;
            if (rpc != null) {
                // Refused only when a filter turned it away before the implementation ran, and said so; what
                // the implementation throws (e.g. a status relayed from its own downstream call) ran.
                boolean refused = notRun
                        && (rpc.progress() == RpcException.Progress.REFUSED
                                || rpc.progress() == RpcException.Progress.NOT_SENT);
                fail(connection, request, rpc.status(), rpc.remoteType(), ext, callMetrics, started, refused);
            } else {
                log.debug("{} threw", method.descriptor().fullName(), cause);
                fail(
                        connection,
                        request,
                        Status.of(Status.Code.APPLICATION_ERROR).withDescription(cause.getMessage()),
                        cause.getClass().getName(),
                        ext,
                        callMetrics,
                        started,
                        false);
            }
            return;
        }
        if (request.isOneWay()) {
            record(callMetrics, Status.Code.OK, started);
            connection.callEnded();
            done(ext);
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
            PayloadCodec.writeValue(buf, serializer, value, method.descriptor().returnType());
            Frames.finish(buf, 0, settings.protocolMaxFrameSize());
            method.responseSize().observe(buf.readableBytes());
        } catch (FrameTooLargeException e) {
            buf.release();
            fail(
                    connection,
                    request,
                    Status.of(Status.Code.RESOURCE_EXHAUSTED)
                            .withDescription(
                                    "the result of " + method.descriptor().fullName() + ": " + e.getMessage()),
                    null,
                    ext,
                    callMetrics,
                    started,
                    false);
            return;
        } catch (Exception | LinkageError e) {
            buf.release();
            log.warn("Cannot serialize the result of {}", method.descriptor().fullName(), e);
            fail(
                    connection,
                    request,
                    Status.of(Status.Code.INTERNAL)
                            .withDescription("the server cannot serialize the result of "
                                    + method.descriptor().fullName() + " with " + serializer.name() + ": "
                                    + e.getMessage()),
                    null,
                    ext,
                    callMetrics,
                    started,
                    false);
            return;
        }
        // Recorded before the response leaves, so a caller that has its answer also finds it counted.
        record(callMetrics, Status.Code.OK, started);
        // Ended on its connection before the answer leaves: a client that has it may send the next call.
        connection.callEnded();
        connection.send(buf);
        done(ext);
    }

    /** {@code refused}: the implementation did not run, so the caller may send the call elsewhere. */
    private void fail(
            ServerConnection connection,
            Frame request,
            Status status,
            String remoteType,
            Extensions ext,
            CallMetrics callMetrics,
            long started,
            boolean refused) {
        record(callMetrics, status.code(), started);
        connection.callEnded();
        if (!request.isOneWay()) {
            connection.send(Frames.error(
                    connection.alloc(), request.requestId(), request.serializerId(), status, remoteType, refused));
        } else {
            log.debug("One-way call failed: {}", status);
        }
        done(ext);
    }

    private void record(CallMetrics callMetrics, Status.Code code, long started) {
        if (callMetrics != null) {
            callMetrics.record(code, ticker.nanoTime() - started);
        }
    }

    /**
     * The end of a call's lease and of its count for the shutdown drain; after its answer was queued, so
     * a drained server has every answer on its way.
     */
    private void done(Extensions ext) {
        ext.release();
        if (inFlight.decrementAndGet() == 0) {
            synchronized (drainLock) {
                drainLock.notifyAll();
            }
        }
    }

    /** Waits until no call is in flight or {@code timeout} passed; returns the calls still in flight. */
    public int awaitDrained(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (drainLock) {
            while (inFlight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(drainLock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        return inFlight.get();
    }

    @Override
    public void close() {
        workers.shutdown();
        try {
            // In-flight calls were drained (bounded by server.shutdown-timeout) before this point.
            workers.awaitTermination(200, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdownNow();
    }
}
