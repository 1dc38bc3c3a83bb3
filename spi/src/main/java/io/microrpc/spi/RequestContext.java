package io.microrpc.spi;

import java.net.InetSocketAddress;

/**
 * What a call is, on the side that sees it: which method, until when, with which peer, and whether it
 * was cancelled. One per call and side ({@link ClientRequestContext}, {@link ServerRequestContext}),
 * created by the kernel; filters, cluster policies and load balancers receive it with the call's
 * {@link Invocation}, which carries the arguments and the attachments (read them with {@link
 * Invocation#attachment}, change them by passing {@link Invocation#withAttachment} on).
 *
 * <p>Thread-safe: a call's steps may run on different threads.
 */
public interface RequestContext {

    /** Which end of a call a context belongs to. */
    enum Side {
        CLIENT,
        SERVER
    }

    Side side();

    /** The method called; its {@link MethodDescriptor#service() service} names the service. */
    MethodDescriptor method();

    /** When the whole call must be done by, on this side's clock. */
    Deadline deadline();

    /**
     * The other end: on the server, the caller's address; on the client, the provider of the current
     * attempt, or null before an endpoint was chosen.
     */
    InetSocketAddress remoteAddress();

    /**
     * True once the call was cancelled: on the client by its caller (the returned future's {@code
     * cancel}); on the server because the client cancelled it or its connection closed. Work for a
     * cancelled call is wasted: its answer is dropped.
     */
    boolean isCancelled();
}
