package io.microrpc.plugin.service.demo;

import io.microrpc.demo.api.EchoService;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

/**
 * Returns its input without copying it. Thread-safe and non-blocking, so it could also run on the IO
 * thread.
 */
final class DefaultEchoService implements EchoService {

    // LongAdder, not AtomicLong: fire() is called from every worker at benchmark rates.
    private final LongAdder fired = new LongAdder();

    @Override
    public String echo(String message) {
        return message;
    }

    @Override
    public byte[] echoBytes(byte[] payload) {
        return payload;
    }

    @Override
    public CompletableFuture<String> echoAsync(String message) {
        return CompletableFuture.completedFuture(message);
    }

    @Override
    public void fire(String message) {
        fired.increment();
    }

    /** How many one-way messages arrived; one-way calls have no other visible effect. */
    long firedCount() {
        return fired.sum();
    }
}
