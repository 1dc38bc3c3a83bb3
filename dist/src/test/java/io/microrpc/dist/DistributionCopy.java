package io.microrpc.dist;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;

/** A private copy of the built distribution, for tests that change its configuration or plugins. */
final class DistributionCopy {

    private DistributionCopy() {}

    /** A copy, and the port its embedded ZooKeeper uses. */
    record OnLoopback(Path dir, int zookeeperPort) {}

    /**
     * A copy configured for a test on a shared machine: servers on loopback, the shipped registry's
     * embedded ZooKeeper on a free port rather than 2181, and {@code extraConfig} lines (e.g.
     * {@code admin.port=-1}) appended to its configuration file.
     */
    static OnLoopback onLoopback(Path dist, Path target, String... extraConfig) throws IOException {
        Path dir = of(dist, target);
        int zookeeperPort;
        try (ServerSocket s = new ServerSocket(0)) {
            zookeeperPort = s.getLocalPort();
        }
        StringBuilder config = new StringBuilder("\nserver.host=127.0.0.1\nregistry.zookeeper.embedded-port=")
                .append(zookeeperPort)
                .append('\n');
        for (String line : extraConfig) {
            config.append(line).append('\n');
        }
        Files.writeString(dir.resolve("conf/microrpc.properties"), config, StandardOpenOption.APPEND);
        return new OnLoopback(dir, zookeeperPort);
    }

    /** Copies {@code dist} (without its {@code data/}, which runs by hand may have left) to {@code target}. */
    static Path of(Path dist, Path target) throws IOException {
        try (Stream<Path> files = Files.walk(dist)) {
            for (Path src : (Iterable<Path>) files::iterator) {
                Path relative = dist.relativize(src);
                if (relative.startsWith("data")) {
                    continue;
                }
                Path dst = target.resolve(relative.toString());
                if (Files.isDirectory(src)) {
                    Files.createDirectories(dst);
                } else {
                    Files.copy(src, dst, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return target;
    }
}
