package io.microrpc.plugin.registry.zookeeper;

import java.nio.file.Path;

/**
 * A provider in a JVM of its own, for {@link SeparateProcessTest}: registers one instance, prints
 * {@code REGISTERED}, then runs until its standard input closes (or it is killed).
 * Arguments: connect string, service, port, data directory.
 */
public final class ProviderMain {

    private ProviderMain() {}

    public static void main(String[] args) throws Exception {
        ZookeeperRegistry registry = ZkTesting.start(TestContext.of(Path.of(args[3]))
                .with("address", args[0])
                .with("session-timeout", ZkTesting.SESSION.toMillis() + "ms"));
        registry.register(ZkTesting.instance(args[1], Integer.parseInt(args[2])));
        System.out.println("REGISTERED");
        System.out.flush();
        while (System.in.read() >= 0) {
            // Runs until the test closes our input or kills us.
        }
        registry.stop();
    }
}
