package io.microrpc.kernel.plugin;

/**
 * One change an operator should know about, in their words: a plugin added, replaced
 * ({@code codec-protostuff 0.1.0 -> 0.1.1}), kept ({@code kept 0.1.0: ... is not a valid JAR}) or
 * removed, a strategy that took over, a configuration edit applied or refused. Immutable.
 *
 * @param sequence increasing from 1 per kernel, so a reader can ask for what is new
 * @param timeMillis when it happened, from the kernel's clock
 * @param text what happened
 */
public record KernelEvent(long sequence, long timeMillis, String text) {

    @Override
    public String toString() {
        return text;
    }
}
