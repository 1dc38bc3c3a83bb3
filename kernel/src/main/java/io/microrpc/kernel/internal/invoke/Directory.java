package io.microrpc.kernel.internal.invoke;

import io.microrpc.spi.Endpoint;
import java.util.ArrayList;
import java.util.List;

/** The endpoints of one reference: from direct addresses or a registry subscription. Thread-safe. */
interface Directory extends AutoCloseable {

    /** The endpoints that can take a call now (connected, not going away). */
    List<Endpoint> ready();

    /** The ready ones of {@code endpoints}, in order. */
    static List<Endpoint> readyOf(List<EndpointImpl> endpoints) {
        List<Endpoint> ready = new ArrayList<>(endpoints.size());
        for (EndpointImpl e : endpoints) {
            if (e.isReady()) {
                ready.add(e);
            }
        }
        return ready;
    }

    /** Every known endpoint, ready or not, for messages. */
    List<? extends Endpoint> all();

    /** What the endpoints come from, for messages, e.g. {@code addresses [a:1, b:2]}. */
    String describe();

    @Override
    void close();
}
