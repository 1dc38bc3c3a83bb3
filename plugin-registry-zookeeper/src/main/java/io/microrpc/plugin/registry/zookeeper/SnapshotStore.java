package io.microrpc.plugin.registry.zookeeper;

import io.microrpc.spi.ServiceInstance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last provider list a consumer was given, one file per service, so that a consumer starting while
 * ZooKeeper is unreachable still finds its providers. The file is the node format of {@link NodeData}
 * under a {@code [host:port]} header per provider, readable and editable by hand:
 *
 * <pre>
 * # microrpc providers of io.example.EchoService, written 2024-11-25T23:10:27Z
 * [10.0.0.7:7420]
 * weight=100
 * ...
 * </pre>
 *
 * Written atomically (a temporary file moved over the old one), so a crash mid-write leaves the previous
 * snapshot. Thread-safe; its methods block on file I/O.
 */
final class SnapshotStore {

    private static final Logger log = LoggerFactory.getLogger(SnapshotStore.class);

    private final Path dir;
    private final Clock clock;

    SnapshotStore(Path dir, Clock clock) {
        this.dir = dir;
        this.clock = clock;
    }

    Path file(String service) {
        return dir.resolve(Layout.encode(service).replace('%', '_').replace(':', '_') + ".providers");
    }

    /** A snapshot as read back: its providers and when it was last written. */
    record Snapshot(List<ServiceInstance> providers, Instant written, Path file) {}

    /** Replaces the snapshot of {@code service}; failures are logged, never thrown. */
    void write(String service, List<ServiceInstance> providers) {
        StringBuilder sb = new StringBuilder(64 + providers.size() * 128);
        sb.append("# microrpc providers of ")
                .append(service)
                .append(", written ")
                .append(clock.instant())
                .append('\n');
        for (ServiceInstance p : providers) {
            sb.append('[').append(Layout.encode(p.address())).append("]\n");
            sb.append(new String(NodeData.encode(p), StandardCharsets.UTF_8));
        }
        Path target = file(service);
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, target.getFileName().toString(), ".tmp");
            try {
                Files.writeString(tmp, sb, StandardCharsets.UTF_8);
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            log.warn(
                    "Could not write the provider snapshot {}; a restart while ZooKeeper is down would not find "
                            + "these providers",
                    target,
                    e);
        }
    }

    /** The snapshot of {@code service}, if there is one; unreadable providers in it are skipped and logged. */
    Optional<Snapshot> read(String service) {
        Path f = file(service);
        String text;
        Instant written;
        try {
            text = Files.readString(f, StandardCharsets.UTF_8);
            written = Files.getLastModifiedTime(f).toInstant();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            log.warn("Could not read the provider snapshot {}", f, e);
            return Optional.empty();
        }
        List<ServiceInstance> providers = new ArrayList<>();
        String name = null;
        StringBuilder body = new StringBuilder();
        for (String line : (text + "\n[]").split("\n")) {
            if (line.startsWith("[") && line.endsWith("]")) {
                if (name != null) {
                    try {
                        providers.add(
                                NodeData.decode(service, name, body.toString().getBytes(StandardCharsets.UTF_8)));
                    } catch (IllegalArgumentException e) {
                        log.warn("Skipping provider [{}] in the snapshot {}: {}", name, f, e.getMessage());
                    }
                }
                name = line.substring(1, line.length() - 1);
                body.setLength(0);
            } else if (name != null) {
                body.append(line).append('\n');
            }
        }
        return Optional.of(new Snapshot(List.copyOf(providers), written, f));
    }
}
