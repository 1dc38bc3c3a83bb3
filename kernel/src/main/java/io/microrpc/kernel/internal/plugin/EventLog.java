package io.microrpc.kernel.internal.plugin;

import io.microrpc.kernel.plugin.KernelEvent;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The last changes of plugins, strategies and configuration, for operators ({@code microrpc status},
 * the demo): a bounded list, the oldest dropped first. The log has the details; this says what happened
 * in a line. Thread-safe.
 */
public final class EventLog {

    private static final int CAPACITY = 50;

    private final Clock clock;
    private final ArrayDeque<KernelEvent> events = new ArrayDeque<>();
    private long sequence;

    public EventLog(Clock clock) {
        this.clock = clock;
    }

    public synchronized void add(String text) {
        if (events.size() == CAPACITY) {
            events.removeFirst();
        }
        events.addLast(new KernelEvent(++sequence, clock.millis(), text));
    }

    /** Events with a sequence number above {@code after}, oldest first; {@code 0} for all kept. */
    public synchronized List<KernelEvent> since(long after) {
        List<KernelEvent> out = new ArrayList<>();
        for (KernelEvent e : events) {
            if (e.sequence() > after) {
                out.add(e);
            }
        }
        return out;
    }
}
