package io.microrpc.spi;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A call as its server sees it. {@link ServerFilter}s receive it; a service implementation finds the
 * context of the call it runs with {@link #current()} (in the thread that invoked it), to see its
 * caller or notice a cancellation.
 */
public interface ServerRequestContext extends RequestContext {

    @Override
    default Side side() {
        return Side.SERVER;
    }

    /**
     * Runs {@code listener} once when the call is cancelled (at once, on this thread, if it already
     * was): the client cancelled it, its deadline passed on the client, or its connection closed. Runs on
     * a kernel IO thread: it must be quick and must not block. Never run for a call that completed.
     */
    void onCancel(Runnable listener);

    /**
     * The certificate chain the caller presented in a mutual-TLS handshake, its own certificate first,
     * already verified by the kernel against {@code tls.trust}; empty when the connection is not TLS or
     * the caller presented none. The identity a {@link ServerFilter} authorizes is read from it (the
     * subject or a subject alternative name).
     */
    default List<X509Certificate> peerCertificates() {
        return List.of();
    }

    /**
     * The context of the call whose implementation runs on this thread, or null outside one. Set only
     * while the kernel invokes the implementation; a continuation on another thread must capture it
     * first.
     */
    static ServerRequestContext current() {
        return CurrentServerContext.get();
    }
}
