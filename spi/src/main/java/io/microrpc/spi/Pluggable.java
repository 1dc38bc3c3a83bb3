package io.microrpc.spi;

import org.pf4j.ExtensionPoint;

/**
 * The common shape of everything a plugin provides to the kernel (an extension of one of its points):
 * a name that configuration picks it by, and a start and stop. Implementations are annotated with PF4J's
 * {@code @org.pf4j.Extension} so the plugin manager finds them.
 *
 * <p>The kernel calls {@link #start} once per instance, on a kernel thread, before the instance serves
 * its first call, and {@link #stop} once after its last call has finished (in-flight calls hold the
 * instance until they complete). Neither is called concurrently with the other. For an extension of a
 * plugin, both run on a thread of their own, with the plugin's class loader as context loader, and
 * bounded in time: the kernel waits for a plugin's starts at most {@code plugins.start-timeout}
 * together, then reports the plugin failed, interrupts that thread and abandons it. An extension must not
 * start long-lived threads of its own: it uses the executors of the {@link PluginContext}.
 *
 * <p>When the configuration of a running kernel changes the keys of an extension, the kernel creates a
 * new instance of its class, starts it with the new keys, and once it started, sends new calls to it;
 * the old instance finishes its calls and is then stopped. So an instance never sees its configuration
 * change, and state an instance keeps (counters, statistics) starts afresh. A {@code start} that throws
 * refuses the new keys: the kernel keeps the old instance and reports the exception's message, so name
 * the key and what was expected ({@link PluginConfig#invalid}, {@link PluginConfig#checkKnown}).
 */
public interface Pluggable extends ExtensionPoint {

    /**
     * The stable, short name that configuration uses to pick this extension, e.g. {@code protostuff}
     * or {@code round-robin}. Lower case, digits and dashes.
     */
    String name();

    /**
     * Prepares the extension. May block (e.g. to connect to a registry), within
     * {@code plugins.start-timeout}; give up when interrupted. Anything thrown ({@code Error} included),
     * or not returning in time, marks the plugin failed: the kernel reports it with the reason and
     * carries on without it. Never call {@code System.exit}.
     */
    default void start(PluginContext context) throws Exception {}

    /** Releases what {@link #start} acquired. Must not throw; must not block for long. */
    default void stop() {}
}
