package io.microrpc.kernel.internal.transport;

import io.microrpc.kernel.internal.protocol.Frame;

/**
 * Receives requests from the server transport. Called on the connection's IO thread; must not block
 * (hand work to a worker pool). Takes ownership of the frame.
 */
@FunctionalInterface
public interface RequestHandler {

    void onRequest(ServerConnection connection, Frame request);
}
