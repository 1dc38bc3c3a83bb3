package io.microrpc.kernel.internal.invoke;

import io.microrpc.kernel.internal.protocol.Frame;
import io.microrpc.kernel.internal.protocol.Frames;
import io.microrpc.kernel.internal.protocol.MalformedFrameException;
import io.microrpc.kernel.internal.transport.ResponseListener;
import io.microrpc.spi.AllowedTypes;
import io.microrpc.spi.MethodDescriptor;
import io.microrpc.spi.RpcException;
import io.microrpc.spi.Serializer;
import io.microrpc.spi.Status;
import io.microrpc.spi.Ticker;
import io.netty.util.Timeout;
import io.netty.util.TimerTask;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One request waiting for its response: completes its future with the decoded result, the remote
 * error, a connection failure, or {@code DEADLINE_EXCEEDED} when its timer fires first; whichever comes
 * first wins and removes the pending entry.
 */
final class ClientCall implements ResponseListener, TimerTask {

    private final CallContext call;
    private final EndpointImpl endpoint;
    private final long requestId;
    private final MethodDescriptor method;
    private final Serializer serializer;
    private final AllowedTypes allowedTypes;
    private final Ticker ticker;
    private final long startNanos;
    private final long timeoutNanos;
    final CompletableFuture<Object> future = new CompletableFuture<>();
    private volatile Timeout timeout;

    ClientCall(
            CallContext call,
            EndpointImpl endpoint,
            long requestId,
            MethodDescriptor method,
            Serializer serializer,
            AllowedTypes allowedTypes,
            Ticker ticker,
            long timeoutNanos) {
        this.call = call;
        this.endpoint = endpoint;
        this.requestId = requestId;
        this.method = method;
        this.serializer = serializer;
        this.allowedTypes = allowedTypes;
        this.ticker = ticker;
        this.timeoutNanos = timeoutNanos;
        this.startNanos = ticker.nanoTime();
        endpoint.callStarted();
    }

    void timeout(Timeout t) {
        this.timeout = t;
    }

    @Override
    public void onResponse(Frame response) {
        cancelTimer();
        try {
            Status.Code code = Status.Code.fromValue(response.status());
            if (code == Status.Code.OK) {
                Object value;
                try {
                    value = PayloadCodec.readValue(response.body(), serializer, method.returnType(), allowedTypes);
                } catch (Exception | LinkageError e) {
                    fail(
                            Status.of(Status.Code.INTERNAL)
                                    .withDescription("cannot read the result of " + method.fullName() + " from "
                                            + endpoint.address() + " with serializer " + serializer.name() + ": "
                                            + e.getMessage())
                                    .asException(RpcException.Progress.ANSWERED),
                            false);
                    return;
                }
                complete(value);
                return;
            }
            String remoteType;
            String message;
            try {
                remoteType = Frames.readString(response.body());
                message = Frames.readString(response.body());
            } catch (MalformedFrameException e) {
                remoteType = "";
                message = "(malformed error body: " + e.getMessage() + ")";
            }
            RpcException error = code == Status.Code.APPLICATION_ERROR && !remoteType.isEmpty()
                    ? RpcException.remote(remoteType, message)
                    : Status.of(code)
                            .withDescription(message + " [" + method.fullName() + " on " + endpoint.address() + "]")
                            .asException(
                                    response.isRefused()
                                            ? RpcException.Progress.REFUSED
                                            : RpcException.Progress.ANSWERED);
            // An application error still means the endpoint is healthy.
            fail(error, code == Status.Code.APPLICATION_ERROR);
        } finally {
            response.release();
        }
    }

    @Override
    public void onConnectionFailure(Status status) {
        cancelTimer();
        // Sent, and the connection went before the answer came: the call may have run.
        fail(
                status.withDescription(status.description() + " [" + method.fullName() + "]")
                        .asException(RpcException.Progress.LOST),
                false);
    }

    /** The deadline passed: forget the request, tell the server to drop it, and fail the call. */
    @Override
    public void run(Timeout t) {
        endpoint.connection().cancel(requestId, true);
        fail(
                Status.of(Status.Code.DEADLINE_EXCEEDED)
                        .withDescription(method.fullName() + " did not complete within "
                                + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms on " + endpoint.address())
                        .asException(RpcException.Progress.LOST),
                false);
    }

    /** The caller cancelled: forget the request, tell the server to drop it, and fail with {@code e}. */
    void cancel(RpcException e) {
        cancelTimer();
        endpoint.connection().cancel(requestId, true);
        fail(e, true);
    }

    /** Fails the call before it was sent. */
    void failUnsent(RpcException e) {
        cancelTimer();
        fail(e.withProgress(RpcException.Progress.NOT_SENT), false);
    }

    private void cancelTimer() {
        Timeout t = timeout;
        if (t != null) {
            t.cancel();
        }
    }

    private void complete(Object value) {
        if (future.complete(value)) {
            long now = ticker.nanoTime();
            endpoint.callFinished(now - startNanos, true, now);
            call.finished(this, null);
        }
    }

    /** {@code endpointHealthy}: the failure says nothing against the endpoint (a business exception). */
    private void fail(RpcException error, boolean endpointHealthy) {
        if (future.completeExceptionally(error)) {
            long now = ticker.nanoTime();
            endpoint.callFinished(now - startNanos, endpointHealthy, now);
            call.finished(this, error);
        }
    }
}
