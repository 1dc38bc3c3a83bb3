package io.microrpc.kernel.internal.invoke;

import io.microrpc.kernel.internal.transport.ClientConnection;
import io.microrpc.spi.Endpoint;
import java.util.ArrayList;
import java.util.List;

/**
 * The ready endpoints of one directory, as one list object for as long as they stay the same: the same
 * endpoints, in the same order, with the same weights. A load balancer's selector is rebuilt when this
 * list changes identity, so it must not change for nothing. Recomputed only when the directory's
 * endpoints or some connection's state changed ({@link ClientConnection#stateChanges()}); otherwise a
 * read is two volatile reads. Thread-safe.
 */
final class ReadyEndpoints {

    /** What was computed from which inputs; immutable once published. */
    private static final class Cached {
        final List<EndpointImpl> source;
        final long stateChanges;
        final List<Endpoint> ready;
        final int[] weights;

        Cached(List<EndpointImpl> source, long stateChanges, List<Endpoint> ready, int[] weights) {
            this.source = source;
            this.stateChanges = stateChanges;
            this.ready = ready;
            this.weights = weights;
        }
    }

    private volatile Cached cached;

    /** The ready ones of {@code source}, the directory's current endpoints. */
    List<Endpoint> of(List<EndpointImpl> source) {
        long changes = ClientConnection.stateChanges();
        Cached c = cached;
        if (c != null && c.source == source && c.stateChanges == changes) {
            return c.ready;
        }
        List<Endpoint> ready = new ArrayList<>(source.size());
        for (EndpointImpl e : source) {
            if (e.isReady()) {
                ready.add(e);
            }
        }
        int[] weights = new int[ready.size()];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = ready.get(i).weight();
        }
        List<Endpoint> result = c != null && same(c, ready, weights) ? c.ready : List.copyOf(ready);
        cached = new Cached(source, changes, result, weights);
        return result;
    }

    private static boolean same(Cached c, List<Endpoint> ready, int[] weights) {
        if (c.ready.size() != ready.size()) {
            return false;
        }
        for (int i = 0; i < weights.length; i++) {
            if (c.ready.get(i) != ready.get(i) || c.weights[i] != weights[i]) {
                return false;
            }
        }
        return true;
    }
}
