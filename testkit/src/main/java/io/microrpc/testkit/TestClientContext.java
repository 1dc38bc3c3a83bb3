package io.microrpc.testkit;

import io.microrpc.spi.ClientRequestContext;
import io.microrpc.spi.Deadline;
import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.MethodDescriptor;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link ClientRequestContext} for tests: the whole call ({@link #of}) or one of its attempts
 * ({@link #attempt}), sharing the call's cancellation as the kernel's do. Thread-safe.
 */
public final class TestClientContext implements ClientRequestContext {

    private final MethodDescriptor method;
    private final Deadline deadline;
    private final int attempt;
    private final Endpoint endpoint;
    private final Throwable retryCause;
    private final AtomicBoolean cancelled;

    private TestClientContext(
            MethodDescriptor method,
            Deadline deadline,
            int attempt,
            Endpoint endpoint,
            Throwable retryCause,
            AtomicBoolean cancelled) {
        this.method = method;
        this.deadline = deadline;
        this.attempt = attempt;
        this.endpoint = endpoint;
        this.retryCause = retryCause;
        this.cancelled = cancelled;
    }

    /** The context of a whole call of {@code invocation} (attempt 0). */
    public static TestClientContext of(Invocation invocation) {
        return new TestClientContext(invocation.method(), invocation.deadline(), 0, null, null, new AtomicBoolean());
    }

    /** The context of attempt {@code number} of this call, on {@code endpoint}. */
    public TestClientContext attempt(int number, Endpoint endpoint, Throwable retryCause) {
        return new TestClientContext(method, deadline, number, endpoint, retryCause, cancelled);
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
        return endpoint == null
                ? null
                : InetSocketAddress.createUnresolved(
                        endpoint.instance().host(), endpoint.instance().port());
    }

    @Override
    public boolean isCancelled() {
        return cancelled.get();
    }

    @Override
    public int attempt() {
        return attempt;
    }

    @Override
    public Endpoint endpoint() {
        return endpoint;
    }

    @Override
    public Throwable retryCause() {
        return retryCause;
    }

    @Override
    public void cancel() {
        cancelled.set(true);
    }
}
