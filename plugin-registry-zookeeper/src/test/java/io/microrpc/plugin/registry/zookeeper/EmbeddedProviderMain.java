package io.microrpc.plugin.registry.zookeeper;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.testing.EchoApi;
import io.microrpc.kernel.testing.JavaTestSerializer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * A provider kernel in a JVM of its own, as {@code bin/microrpc serve} runs one, for
 * {@link EmbeddedTakeoverIT}: loads the registry plugin JAR from a plugins folder (no address: the
 * embedded server), exports {@link EchoApi} (answering {@code <name>:<message>}), prints
 * {@code EXPORTED <port>}, then runs until its standard input closes (or it is killed).
 * Arguments: name, plugins folder, embedded ZooKeeper port, data directory, session timeout.
 */
public final class EmbeddedProviderMain {

    private EmbeddedProviderMain() {}

    public static void main(String[] args) throws Exception {
        KernelSettings s = KernelSettings.builder().serverPort(0).serverHost("127.0.0.1").serializer("java-test")
                .pluginsDir(Path.of(args[1])).pluginsWatch(false).dataDir(Path.of(args[3]))
                .extensionKey("registry.zookeeper.embedded-port", args[2])
                .extensionKey("registry.zookeeper.session-timeout", args[4])
                .extensionKey("registry.zookeeper.connection-timeout", "2s")
                .extensionKey("registry.zookeeper.retry-base", "100ms")
                .build();
        try (MicroRpc kernel = MicroRpc.builder().settings(s).extension(new JavaTestSerializer()).start()) {
            kernel.export(EchoApi.class, new Named(args[0]));
            System.out.println("EXPORTED " + kernel.port());
            System.out.flush();
            while (System.in.read() >= 0) {
                // Runs until the test closes our input or kills us.
            }
        }
    }

    /** Answers with its name, so the test sees which provider served a call. */
    private record Named(String name) implements EchoApi {
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
}
