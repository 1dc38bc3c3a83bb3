package io.microrpc.kernel.internal.invoke;

import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.internal.metrics.KernelMetrics;
import io.microrpc.kernel.internal.plugin.ExtensionSnapshots;
import io.microrpc.kernel.internal.plugin.Extensions;
import io.microrpc.kernel.internal.protocol.Frame;
import io.microrpc.kernel.internal.protocol.MalformedFrameException;
import io.microrpc.kernel.internal.protocol.RequestHeader;
import io.microrpc.kernel.internal.transport.KernelThreadFactory;
import io.microrpc.kernel.internal.transport.RequestHandler;
import io.microrpc.kernel.internal.transport.ServerConnection;
import io.microrpc.spi.Deadline;
import io.microrpc.spi.Status;
import io.microrpc.spi.Ticker;
import java.time.Duration;
import java.util.TreeSet;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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

    private final ExportedServices services;
    private final ExtensionSnapshots extensions;
    private final KernelSettings settings;
    private final Ticker ticker;
    private final KernelMetrics metrics;
    private final ThreadPoolExecutor workers;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Object drainLock = new Object();

    public ServerDispatcher(
            ExportedServices services,
            ExtensionSnapshots extensions,
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
        // The lease keeps this snapshot's plugins (codec, filters, service plugin) loaded until the
        // response is written, even if they are replaced meanwhile.
        Extensions ext = extensions.acquire();
        ServerCall call = new ServerCall(this, connection, frame, ext, ticker.nanoTime());
        RequestHeader header;
        RequestNames names = RequestNames.of(connection);
        try {
            names.read(frame.body());
            header = RequestHeader.readAfterNames(frame.body(), names.service, names.method);
        } catch (MalformedFrameException e) {
            frame.release();
            call.metrics(metrics.calls(KernelMetrics.Side.SERVER, KernelMetrics.UNKNOWN, KernelMetrics.UNKNOWN));
            call.fail(
                    Status.of(Status.Code.INVALID_ARGUMENT)
                            .withDescription("malformed request metadata: " + e.getMessage()),
                    null,
                    true);
            return;
        }
        ExportedService service = services.get(header.service());
        MethodModel method = service == null ? null : service.model.method(header.method());
        if (method == null) {
            frame.release();
            String description = service == null
                    ? "no service " + header.service() + " on this server (exported: " + services.names() + ")"
                    : "service " + header.service() + " has no method '" + header.method() + "' (methods: "
                            + new TreeSet<>(service.model.methodNames()) + ")";
            // Only names this server exports become labels: a caller cannot create metrics at will.
            call.metrics(metrics.calls(
                    KernelMetrics.Side.SERVER,
                    service == null ? KernelMetrics.UNKNOWN : service.model.name(),
                    KernelMetrics.UNKNOWN));
            call.fail(Status.of(Status.Code.NOT_FOUND).withDescription(description), null, true);
            return;
        }
        names.resolved(frame.body(), service.model.name(), method.descriptor().name());
        call.routed(
                Deadline.afterNanos(header.timeoutNanos(), ticker),
                header.attachments(),
                service,
                method,
                method.metrics(metrics, KernelMetrics.Side.SERVER));
        if (onConnection > settings.serverMaxCallsPerConnection()) {
            frame.release();
            call.fail(
                    Status.of(Status.Code.RESOURCE_EXHAUSTED)
                            .withDescription("this connection has "
                                    + settings.serverMaxCallsPerConnection()
                                    + " calls in flight already (server.max-calls-per-connection); "
                                    + method.descriptor().fullName() + " not run"),
                    null,
                    true);
            return;
        }
        if (call.runsOnIoThread()) {
            call.run();
            return;
        }
        try {
            workers.execute(call);
        } catch (RejectedExecutionException e) {
            frame.release();
            call.fail(
                    Status.of(Status.Code.RESOURCE_EXHAUSTED)
                            .withDescription("server is saturated: "
                                    + settings.serverWorkerThreads() + " workers busy and "
                                    + settings.serverWorkerQueue()
                                    + " calls queued (server.worker-threads, server.worker-queue)"),
                    null,
                    true);
        }
    }

    int maxFrameSize() {
        return settings.protocolMaxFrameSize();
    }

    long nanoTime() {
        return ticker.nanoTime();
    }

    /**
     * The end of a call's lease and of its count for the shutdown drain; after its answer was queued, so
     * a drained server has every answer on its way.
     */
    void done(Extensions ext) {
        ext.release();
        if (inFlight.decrementAndGet() == 0) {
            synchronized (drainLock) {
                drainLock.notifyAll();
            }
        }
    }

    /** Waits until no call is in flight or {@code timeout} passed; returns the calls still in flight. */
    public int awaitDrained(Duration timeout) {
        long deadline = ticker.nanoTime() + timeout.toNanos();
        synchronized (drainLock) {
            while (inFlight.get() > 0) {
                long left = deadline - ticker.nanoTime();
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
