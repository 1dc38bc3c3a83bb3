package io.microrpc.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/** A private copy of the built distribution, for tests that change its configuration or plugins. */
final class DistributionCopy {

    private DistributionCopy() {}

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
