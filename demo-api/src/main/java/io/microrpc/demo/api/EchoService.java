package io.microrpc.demo.api;

import io.microrpc.spi.Idempotent;
import io.microrpc.spi.OneWay;
import java.util.concurrent.CompletableFuture;

/**
 * Returns what it is sent. The benchmark's service: its cost is almost all transport and codec, so it
 * shows microrpc's overhead against the raw Netty echo.
 *
 * <p>Implementations are called concurrently from the kernel's threads and must be thread-safe.
 */
public interface EchoService {

    /** Returns {@code message} unchanged (null included). Safe to retry: it has no side effect. */
    @Idempotent
    String echo(String message);

    /** Returns {@code payload} unchanged; the bytes-only path, with no string encoding. */
    byte[] echoBytes(byte[] payload);

    /** Completes with {@code message}; exercises the server's asynchronous completion path. */
    CompletableFuture<String> echoAsync(String message);

    /**
     * Receives {@code message} and answers nothing: the caller returns once the request is written and
     * never learns whether it arrived.
     */
    @OneWay
    void fire(String message);
}
