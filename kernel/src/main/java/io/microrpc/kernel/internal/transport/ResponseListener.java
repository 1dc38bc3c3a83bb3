package io.microrpc.kernel.internal.transport;

import io.microrpc.kernel.internal.protocol.Frame;
import io.microrpc.spi.Status;

/** Waits for the response to one request. Called on the connection's IO thread, exactly once. */
public interface ResponseListener {

    /** The response arrived; the listener owns the frame and must release it. */
    void onResponse(Frame response);

    /** The connection failed before a response arrived. */
    void onConnectionFailure(Status status);
}
