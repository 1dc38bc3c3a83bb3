package io.microrpc.plugin.registry.zookeeper;

import io.microrpc.kernel.testing.EchoApi;
import java.util.concurrent.CompletableFuture;

/** An EchoApi that answers with its name, so a test sees which provider served a call. */
record NamedEcho(String name) implements EchoApi {

    @Override
    public String echo(String message) {
        return name + ':' + message;
    }

    @Override
    public CompletableFuture<String> echoAsync(String message) {
        return CompletableFuture.completedFuture(echo(message));
    }

    @Override
    public void fire(String message) {}

    @Override
    public long slow(long millis) {
        return millis;
    }

    @Override
    public String fail(String message) {
        throw new IllegalStateException(message);
    }

    @Override
    public int add(int a, int b) {
        return a + b;
    }
}
