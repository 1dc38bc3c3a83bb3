package io.microrpc.kernel.internal.invoke;

import io.microrpc.spi.Endpoint;
import java.util.List;

/** The endpoints of one reference: from direct addresses or a registry subscription. Thread-safe. */
interface Directory extends AutoCloseable {

    /**
     * The endpoints that can take a call now (connected, not going away): immutable, and the same list
     * object while they and their weights stay the same ({@link ReadyEndpoints}).
     */
    List<Endpoint> ready();

    /** Every known endpoint, ready or not, for messages. */
    List<? extends Endpoint> all();

    /** What the endpoints come from, for messages, e.g. {@code addresses [a:1, b:2]}. */
    String describe();

    @Override
    void close();
}
