package io.microrpc.spi;

/**
 * A call as its client sees it. A {@link ClientFilter}'s {@link ClientFilter#invoke}, the cluster
 * policy and the load balancer's selector see the context of the whole call ({@link #attempt()} 0, no
 * endpoint: the selector runs before the attempt exists); a client filter's {@link
 * ClientFilter#invokeAttempt} sees the context of one attempt: its number, the endpoint chosen for it,
 * and why the call is being retried.
 */
public interface ClientRequestContext extends RequestContext {

    @Override
    default Side side() {
        return Side.CLIENT;
    }

    /** 0 for the call as a whole; 1 for its first attempt on an endpoint, 2 for the second, and so on. */
    int attempt();

    /** The endpoint of this attempt; null for the call as a whole. */
    Endpoint endpoint();

    /**
     * Why this attempt is made: the failure of the attempt before it when this one is a retry that
     * started after that failure; null for the first attempt, and for an attempt started while others
     * were still running (a hedged or forked one).
     */
    Throwable retryCause();

    /**
     * Cancels the call: every attempt in flight is forgotten, the server is told to drop it (a {@code
     * CANCEL} frame, docs/PROTOCOL.md), no new attempt starts, and the call's future fails with {@link
     * Status.Code#CANCELLED}. Does nothing once the call is done.
     */
    void cancel();
}
