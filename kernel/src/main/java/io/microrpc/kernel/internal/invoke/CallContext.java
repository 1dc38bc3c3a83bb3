package io.microrpc.kernel.internal.invoke;

import io.microrpc.spi.ClientRequestContext;
import io.microrpc.spi.Deadline;
import io.microrpc.spi.Endpoint;
import io.microrpc.spi.MethodDescriptor;
import io.microrpc.spi.RpcException;
import io.microrpc.spi.Status;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One client call as a whole (attempt 0): its method and deadline, the attempts in flight, and its
 * cancellation, which reaches every attempt in flight and stops new ones. Also the future the caller
 * holds ({@link #future}): cancelling it, or completing it from outside (e.g. {@code orTimeout}),
 * cancels the call. Thread-safe.
 */
final class CallContext implements ClientRequestContext {

    private final MethodDescriptor method;
    private final Deadline deadline;
    final CallFuture future = new CallFuture(this);

    // Guarded by this.
    private boolean cancelled;
    private int attempts;
    /** The attempts in flight: null, one ClientCall, or a list of them (hedged or forked attempts). */
    private Object inFlight;

    private volatile boolean cancelledFlag;
    private volatile Throwable lastFailure;

    CallContext(MethodDescriptor method, Deadline deadline) {
        this.method = method;
        this.deadline = deadline;
    }

    @Override
    public MethodDescriptor method() {
        return method;
    }

    @Override
    public Deadline deadline() {
        return deadline;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return null;
    }

    @Override
    public int attempt() {
        return 0;
    }

    @Override
    public Endpoint endpoint() {
        return null;
    }

    @Override
    public Throwable retryCause() {
        return null;
    }

    @Override
    public boolean isCancelled() {
        return cancelledFlag;
    }

    /** The context of the next attempt, on {@code endpoint}; null if the call was cancelled. */
    synchronized AttemptContext nextAttempt(Endpoint endpoint) {
        if (cancelled) {
            return null;
        }
        attempts++;
        Throwable cause = inFlight == null ? lastFailure : null;
        return new AttemptContext(this, attempts, endpoint, cause);
    }

    /** Registers a sent call; false (and the caller cancels it) if the call was cancelled meanwhile. */
    synchronized boolean started(ClientCall call) {
        if (cancelled) {
            return false;
        }
        if (inFlight == null) {
            inFlight = call;
        } else if (inFlight instanceof ClientCall single) {
            List<ClientCall> list = new ArrayList<>(2);
            list.add(single);
            list.add(call);
            inFlight = list;
        } else {
            @SuppressWarnings("unchecked")
            List<ClientCall> list = (List<ClientCall>) inFlight;
            list.add(call);
        }
        return true;
    }

    /** {@code call} completed; {@code failure} is its error, or null. */
    synchronized void finished(ClientCall call, Throwable failure) {
        if (inFlight == call) {
            inFlight = null;
        } else if (inFlight instanceof List<?> list) {
            list.remove(call);
            if (list.isEmpty()) {
                inFlight = null;
            }
        }
        if (failure != null) {
            lastFailure = failure;
        }
    }

    @Override
    public void cancel() {
        Object calls;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            cancelledFlag = true;
            calls = inFlight;
            inFlight = null;
        }
        RpcException e = Status.of(Status.Code.CANCELLED)
                .withDescription(method.fullName() + " was cancelled by its caller")
                .asException(RpcException.Progress.LOST);
        if (calls instanceof ClientCall single) {
            single.cancel(e);
        } else if (calls instanceof List<?> list) {
            for (Object c : list) {
                ((ClientCall) c).cancel(e);
            }
        }
        future.completeFromCall(null, e);
    }

    @Override
    public String toString() {
        return "call " + method.fullName();
    }

    /**
     * The future a caller holds. The kernel completes it with {@link #completeFromCall}; anything else
     * that completes it first (its {@code cancel}, {@code complete}, {@code orTimeout}) cancels the
     * call, so the pending entry goes and the server is told.
     */
    static final class CallFuture extends CompletableFuture<Object> {
        private final CallContext context;
        private boolean fromCall;

        CallFuture(CallContext context) {
            this.context = context;
        }

        void completeFromCall(Object value, Throwable error) {
            synchronized (this) {
                fromCall = true;
            }
            if (error == null) {
                super.complete(value);
            } else {
                super.completeExceptionally(error);
            }
        }

        @Override
        public boolean complete(Object value) {
            boolean done = super.complete(value);
            if (done && !byKernel()) {
                context.cancel();
            }
            return done;
        }

        @Override
        public boolean completeExceptionally(Throwable ex) {
            boolean done = super.completeExceptionally(ex);
            if (done && !byKernel()) {
                context.cancel();
            }
            return done;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean done = super.cancel(mayInterruptIfRunning);
            if (done) {
                context.cancel();
            }
            return done;
        }

        private synchronized boolean byKernel() {
            return fromCall;
        }

        @Override
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new CompletableFuture<>();
        }
    }
}
