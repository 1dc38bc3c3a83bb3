package io.microrpc.kernel.testing;

import io.microrpc.spi.Idempotent;
import io.microrpc.spi.OneWay;
import java.util.concurrent.CompletableFuture;

/** A small RPC interface for kernel tests. */
public interface EchoApi {

    /** Safe to run twice: a cluster policy may retry it after a lost attempt. */
    @Idempotent
    String echo(String message);

    CompletableFuture<String> echoAsync(String message);

    @OneWay
    void fire(String message);

    /** Sleeps {@code millis} (the implementation blocks) and returns it. */
    long slow(long millis);

    /** Throws an IllegalStateException with {@code message}. */
    String fail(String message);

    int add(int a, int b);
}
