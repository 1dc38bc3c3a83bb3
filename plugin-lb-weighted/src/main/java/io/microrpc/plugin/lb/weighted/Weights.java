package io.microrpc.plugin.lb.weighted;

import io.microrpc.spi.Endpoint;

/**
 * The {@link WeightTable} of one selector's candidates, built when the selector is made and again
 * whenever a warm-up step is due: warm-up moves weights with the clock, not with the candidates, so
 * the kernel would not ask for a new selector.
 *
 * <p>Thread-safe without locks: tables are immutable and published through a volatile field; callers
 * that find a step due at the same time may each build one, and the last one stays.
 */
final class Weights {

    private final Endpoint[] endpoints;
    private final WeightedSettings settings;
    private volatile WeightTable table;

    Weights(Endpoint[] endpoints, WeightedSettings settings) {
        this.endpoints = endpoints;
        this.settings = settings;
        this.table = WeightTable.build(endpoints, settings.warmup, settings.nowMillisIfWarming());
    }

    /** The table for now: one volatile read, and one clock read while some candidate warms up. */
    WeightTable current() {
        WeightTable t = table;
        if (t.isWarming()) {
            long now = settings.clock.millis();
            if (t.isDue(now)) {
                t = WeightTable.build(endpoints, settings.warmup, now);
                table = t;
            }
        }
        return t;
    }
}
