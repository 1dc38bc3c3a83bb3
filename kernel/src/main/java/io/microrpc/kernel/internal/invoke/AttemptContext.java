package io.microrpc.kernel.internal.invoke;

import io.microrpc.spi.ClientRequestContext;
import io.microrpc.spi.Deadline;
import io.microrpc.spi.Endpoint;
import io.microrpc.spi.MethodDescriptor;
import java.net.InetSocketAddress;

/** One attempt of a client call, on one endpoint. Immutable, apart from the call it belongs to. */
final class AttemptContext implements ClientRequestContext {

    private final CallContext call;
    private final int attempt;
    private final Endpoint endpoint;
    private final Throwable retryCause;
    private volatile InetSocketAddress remoteAddress;

    AttemptContext(CallContext call, int attempt, Endpoint endpoint, Throwable retryCause) {
        this.call = call;
        this.attempt = attempt;
        this.endpoint = endpoint;
        this.retryCause = retryCause;
    }

    CallContext call() {
        return call;
    }

    @Override
    public MethodDescriptor method() {
        return call.method();
    }

    @Override
    public Deadline deadline() {
        return call.deadline();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        InetSocketAddress a = remoteAddress;
        if (a == null) {
            a = InetSocketAddress.createUnresolved(
                    endpoint.instance().host(), endpoint.instance().port());
            remoteAddress = a;
        }
        return a;
    }

    @Override
    public boolean isCancelled() {
        return call.isCancelled();
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
        call.cancel();
    }

    @Override
    public String toString() {
        return "attempt " + attempt + " of " + call.method().fullName() + " on " + endpoint.address();
    }
}
