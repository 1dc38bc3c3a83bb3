package io.microrpc.plugin.registry.zookeeper;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.testing.EchoApi;
import io.microrpc.kernel.testing.JavaTestSerializer;
import java.nio.file.Path;

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
        KernelSettings s = KernelSettings.builder()
                .serverPort(0)
                .serverHost("127.0.0.1")
                .callSerializer("java-test")
                .pluginsDir(Path.of(args[1]))
                .pluginsWatch(false)
                .dataDir(Path.of(args[3]))
                .extensionKey("registry.zookeeper.embedded-port", args[2])
                .extensionKey("registry.zookeeper.session-timeout", args[4])
                .extensionKey("registry.zookeeper.connection-timeout", "2s")
                .extensionKey("registry.zookeeper.retry-base", "100ms")
                .build();
        try (MicroRpc kernel = MicroRpc.builder()
                .settings(s)
                .extension(new JavaTestSerializer())
                .start()) {
            kernel.export(EchoApi.class, new NamedEcho(args[0]));
            System.out.println("EXPORTED " + kernel.port());
            System.out.flush();
            while (System.in.read() >= 0) {
                // Runs until the test closes our input or kills us.
            }
        }
    }
}
