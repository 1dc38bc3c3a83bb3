package io.microrpc.bench;

import java.time.Duration;
import java.util.function.Predicate;

/** How each scenario is run: C virtual users, a warm-up period and a measurement period. */
record RunSettings(int concurrency, Duration warmup, Duration measurement) {

    ClosedLoop loop(Predicate<Object> valid) {
        return new ClosedLoop(concurrency, warmup, measurement, valid);
    }
}
