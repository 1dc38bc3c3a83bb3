package io.microrpc.testkit;

import io.microrpc.spi.Deadline;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.MethodDescriptor;
import io.microrpc.spi.ServerRequestContext;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/** A {@link ServerRequestContext} for tests; {@link #cancel()} plays the client cancelling. Thread-safe. */
public final class TestServerContext implements ServerRequestContext {

    private final MethodDescriptor method;
    private final Deadline deadline;
    private final InetSocketAddress remoteAddress;
    private final List<X509Certificate> peerCertificates;
    private final List<Runnable> listeners = new ArrayList<>();
    private boolean cancelled;

    private TestServerContext(
            MethodDescriptor method,
            Deadline deadline,
            InetSocketAddress remoteAddress,
            List<X509Certificate> peerCertificates) {
        this.method = method;
        this.deadline = deadline;
        this.remoteAddress = remoteAddress;
        this.peerCertificates = List.copyOf(peerCertificates);
    }

    /** A call of {@code invocation} from 127.0.0.1:40000. */
    public static TestServerContext of(Invocation invocation) {
        return of(invocation, new InetSocketAddress("127.0.0.1", 40000));
    }

    public static TestServerContext of(Invocation invocation, InetSocketAddress caller) {
        return new TestServerContext(invocation.method(), invocation.deadline(), caller, List.of());
    }

    /** The same call, made by a caller that presented {@code chain} (its own certificate first) over mutual TLS. */
    public TestServerContext withPeerCertificates(List<X509Certificate> chain) {
        return new TestServerContext(method, deadline, remoteAddress, chain);
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
        return remoteAddress;
    }

    @Override
    public List<X509Certificate> peerCertificates() {
        return peerCertificates;
    }

    @Override
    public synchronized boolean isCancelled() {
        return cancelled;
    }

    @Override
    public void onCancel(Runnable listener) {
        synchronized (this) {
            if (!cancelled) {
                listeners.add(listener);
                return;
            }
        }
        listener.run();
    }

    /** The client cancels the call: the listeners run, on this thread. */
    public void cancel() {
        List<Runnable> run;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            run = new ArrayList<>(listeners);
            listeners.clear();
        }
        run.forEach(Runnable::run);
    }
}
