package io.microrpc.kernel.internal.plugin;

import io.microrpc.kernel.config.KernelSettings;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the plugins folder for {@link PluginHost}: which plugin JARs it holds, which of them stood
 * still for {@code plugins.watch-debounce} and so count, and what each of those holds ({@link
 * PluginFile}). A file is read again only when its size, time or identity changed. Used on the plugin
 * lifecycle thread only; not thread-safe.
 */
final class FolderScanner {

    private static final Logger log = LoggerFactory.getLogger(FolderScanner.class);

    private final Supplier<KernelSettings> settings;
    /** The last content read of each file that stood still, by file name. */
    private final Map<String, PluginFile> files = new TreeMap<>();
    /** What the folder last showed under each name, and since when. */
    private final Map<String, Observation> observed = new HashMap<>();

    private boolean missingFolderLogged;

    FolderScanner(Supplier<KernelSettings> settings) {
        this.settings = settings;
    }

    /** True for names the folder scan considers: {@code *.jar}, not hidden; temporary names end otherwise. */
    static boolean isPluginFileName(String name) {
        return name.endsWith(".jar") && !name.startsWith(".");
    }

    /**
     * Rescans the whole folder. With {@code immediate} (at start) every file is taken as it is; otherwise
     * a file must have stayed unchanged for the debounce time. A file being rewritten keeps counting with
     * what it held before.
     */
    Scan scan(long now, boolean immediate) {
        long debounce = settings.get().pluginsWatchDebounce().toNanos();
        Path dir = settings.get().pluginsDir();
        Map<String, BasicFileAttributes> listed = list();
        Map<String, PluginFile> present = new TreeMap<>();
        List<Unsettled> unsettled = new ArrayList<>();
        for (Map.Entry<String, BasicFileAttributes> e : listed.entrySet()) {
            String name = e.getKey();
            Observation seen = observed.get(name);
            Observation current = Observation.of(e.getValue(), now);
            boolean changing;
            if (seen == null || !seen.sameFile(current)) {
                observed.put(name, current);
                changing = !immediate;
            } else {
                changing = !immediate && now - seen.since < debounce;
            }
            PluginFile known = files.get(name);
            if (!changing) {
                if (known != null && current.sameFile(known.observation)) {
                    present.put(name, known);
                    continue;
                }
                try {
                    PluginFile read = PluginFile.read(dir.resolve(name), observed.get(name));
                    files.put(name, read);
                    present.put(name, read);
                    continue;
                } catch (IOException ex) {
                    log.debug("Cannot read {} yet", name, ex);
                }
            }
            unsettled.add(new Unsettled(name, PluginFile.peekId(dir.resolve(name))));
            if (known != null) {
                // Being rewritten: keep acting on what it held until it stands still.
                present.put(name, known);
            }
        }
        files.keySet().retainAll(listed.keySet());
        observed.keySet().retainAll(listed.keySet());
        return new Scan(present, unsettled, Set.copyOf(listed.keySet()));
    }

    private Map<String, BasicFileAttributes> list() {
        Map<String, BasicFileAttributes> out = new TreeMap<>();
        Path dir = settings.get().pluginsDir();
        if (!Files.isDirectory(dir)) {
            if (!missingFolderLogged) {
                log.warn("Plugins folder {} does not exist; no plugins loaded", dir.toAbsolutePath());
                missingFolderLogged = true;
            }
            return out;
        }
        missingFolderLogged = false;
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                String name = p.getFileName().toString();
                if (!isPluginFileName(name)) {
                    continue;
                }
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                    if (a.isRegularFile()) {
                        out.put(name, a);
                    }
                } catch (IOException e) {
                    log.debug("{} vanished during the scan", p);
                }
            }
        } catch (IOException e) {
            log.error("Cannot list plugins folder {}", dir.toAbsolutePath(), e);
        }
        return out;
    }

    /**
     * What one scan found.
     *
     * @param present the files that count, by name: read once they stood still, or as last read while
     *     they are rewritten
     * @param unsettled files still being written (or not readable yet)
     * @param names every plugin file name in the folder
     */
    record Scan(Map<String, PluginFile> present, List<Unsettled> unsettled, Set<String> names) {}

    /** A file still being written, and the plugin id its manifest declares if it can already be read. */
    record Unsettled(String name, String id) {}

    /** What the folder showed under one name: a file is the same while its size, time and identity are. */
    record Observation(long size, long modified, Object fileKey, long since) {

        static Observation of(BasicFileAttributes a, long now) {
            return new Observation(a.size(), a.lastModifiedTime().toMillis(), a.fileKey(), now);
        }

        boolean sameFile(Observation o) {
            return o != null && size == o.size && modified == o.modified && Objects.equals(fileKey, o.fileKey);
        }
    }
}
