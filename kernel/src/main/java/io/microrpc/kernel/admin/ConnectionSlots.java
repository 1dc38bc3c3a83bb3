package io.microrpc.kernel.admin;

import io.netty.channel.Channel;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin endpoint's connection cap. A connection is either waiting for its client (to send a request,
 * or to take an answer) or busy (its request is being answered). At the cap, a new connection closes the
 * connection that has been waiting longest; only when every connection is busy is the new one refused.
 * Refusing new connections instead would let whoever holds the cap's worth of idle or half-sent
 * connections lock the operator out of {@code /health}.
 *
 * <p>Confined to the endpoint's single event loop thread, where every connection of the endpoint lives;
 * not thread-safe.
 */
final class ConnectionSlots {

    private static final Logger log = LoggerFactory.getLogger(ConnectionSlots.class);

    private final int max;
    private final Set<Channel> open = new HashSet<>();
    /** Iteration order: the connection waiting longest first. */
    private final Set<Channel> waiting = new LinkedHashSet<>();

    ConnectionSlots(int max) {
        this.max = max;
    }

    /** Takes a slot for a new connection, closing the longest-waiting one at the cap; false: all are busy. */
    boolean admit(Channel channel) {
        if (open.size() >= max) {
            Iterator<Channel> longest = waiting.iterator();
            if (!longest.hasNext()) {
                return false;
            }
            Channel evicted = longest.next();
            remove(evicted);
            log.debug(
                    "Admin connection {} closed: {} connections are open and it waited longest for its client",
                    evicted.remoteAddress(),
                    max);
            evicted.close();
        }
        open.add(channel);
        return true;
    }

    /** The connection now waits for its client; it goes to the back of the eviction order. */
    void waiting(Channel channel) {
        if (open.contains(channel)) {
            waiting.remove(channel);
            waiting.add(channel);
        }
    }

    /** The connection's request is being answered: it is not evicted. */
    void busy(Channel channel) {
        waiting.remove(channel);
    }

    void remove(Channel channel) {
        open.remove(channel);
        waiting.remove(channel);
    }
}
