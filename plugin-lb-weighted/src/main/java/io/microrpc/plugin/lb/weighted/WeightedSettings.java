package io.microrpc.plugin.lb.weighted;

import io.microrpc.spi.PluginContext;
import io.microrpc.spi.Ticker;
import java.time.Clock;

/**
 * What a weighted balancer reads in {@code start}: its warm-up and the kernel's clocks. Immutable; the
 * balancers hold it in a volatile field so callers on any thread see what {@code start} set.
 */
final class WeightedSettings {

    /** Before {@code start}: the default warm-up on the system clocks. */
    static final WeightedSettings DEFAULT =
            new WeightedSettings(Warmup.of(Warmup.DEFAULT_PERIOD), Clock.systemUTC(), Ticker.system());

    final Warmup warmup;
    final Clock clock;
    final Ticker ticker;

    private WeightedSettings(Warmup warmup, Clock clock, Ticker ticker) {
        this.warmup = warmup;
        this.clock = clock;
        this.ticker = ticker;
    }

    /** Reads {@code loadbalancer.<name>.warmup}; any other key of the extension is refused. */
    static WeightedSettings from(PluginContext context) {
        context.config().checkKnown(Warmup.KEY);
        return new WeightedSettings(Warmup.from(context.config()), context.clock(), context.ticker());
    }

    /** The wall clock in epoch milliseconds when warm-up needs it, else 0 (no clock read). */
    long nowMillisIfWarming() {
        return warmup.enabled() ? clock.millis() : 0;
    }
}
