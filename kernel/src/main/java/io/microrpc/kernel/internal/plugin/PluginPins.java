package io.microrpc.kernel.internal.plugin;

import io.microrpc.kernel.config.ConfigException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The content of a pinning file ({@code plugins.allow}): which plugin JARs may run, each as its plugin
 * id, version and the SHA-256 of its bytes, one per line: {@code <plugin-id> <version> <sha256-hex>}.
 * {@code #} starts a comment (to the end of the line); blank lines are ignored. Several lines may name
 * the same id and version (two builds allowed at once). Immutable.
 */
public final class PluginPins {

    private static final int SHA256_HEX_DIGITS = 64;

    /** The allowed hashes by {@code id + ' ' + version}. */
    private final Map<String, Set<String>> hashes;

    private final int size;

    private PluginPins(Map<String, Set<String>> hashes) {
        this.hashes = hashes;
        this.size = hashes.values().stream().mapToInt(Set::size).sum();
    }

    /**
     * Parses {@code text}, the content of {@code file}.
     *
     * @throws ConfigException naming the file, the line number and what is wrong with it
     */
    public static PluginPins parse(Path file, String text) {
        Map<String, Set<String>> out = new TreeMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String raw = lines[i];
            int hash = raw.indexOf('#');
            String line = (hash >= 0 ? raw.substring(0, hash) : raw).strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] fields = line.split("\\s+");
            String where = "plugins.allow: " + file + " line " + (i + 1) + ": ";
            if (fields.length != 3) {
                throw new ConfigException(where + "'" + line + "' has " + fields.length + " field"
                        + (fields.length == 1 ? "" : "s") + " (expected: 3, <plugin-id> <version> <sha256-hex>, as"
                        + " bin/microrpc plugins --pins prints them)");
            }
            String sha = fields[2].toLowerCase(Locale.ROOT);
            if (sha.length() != SHA256_HEX_DIGITS) {
                throw new ConfigException(where + "sha256 '" + fields[2] + "' has " + sha.length() + " characters"
                        + " (expected: " + SHA256_HEX_DIGITS + " hex digits, as sha256sum prints)");
            }
            if (!sha.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                throw new ConfigException(where + "sha256 '" + fields[2] + "' is not hexadecimal (expected: "
                        + SHA256_HEX_DIGITS + " hex digits, as sha256sum prints)");
            }
            out.computeIfAbsent(fields[0] + ' ' + fields[1], k -> new TreeSet<>())
                    .add(sha);
        }
        out.replaceAll((k, v) -> Set.copyOf(v));
        return new PluginPins(Map.copyOf(out));
    }

    /** The line that allows the JAR of plugin {@code id} at {@code version} with content {@code sha256}. */
    public static String line(String id, String version, String sha256) {
        return id + ' ' + version + ' ' + sha256;
    }

    /** Whether a JAR of plugin {@code id} at {@code version} whose bytes hash to {@code sha256} may run. */
    public boolean allows(String id, String version, String sha256) {
        return hashes.getOrDefault(id + ' ' + version, Set.of()).contains(sha256);
    }

    /** The hashes pinned for {@code id} at {@code version}, sorted; empty when none is. */
    public List<String> pinned(String id, String version) {
        return new ArrayList<>(new TreeSet<>(hashes.getOrDefault(id + ' ' + version, Set.of())));
    }

    /** How many lines allow something (duplicates counted once). */
    public int size() {
        return size;
    }

    /**
     * One pin line per plugin JAR of {@code folder}, in file-name order, each followed by its file name
     * as a comment: what {@code bin/microrpc plugins --pins} prints. The hash is of the file's bytes, as
     * {@code sha256sum} computes it. JARs that are not plugins (not a valid JAR, no {@code Plugin-Id}) get
     * no line; {@code skipped} receives their name and why.
     *
     * @throws IOException when the folder cannot be listed or a JAR cannot be read
     */
    public static List<String> linesFor(Path folder, List<String> skipped) throws IOException {
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(folder)) {
            for (Path p : stream) {
                if (FolderScanner.isPluginFileName(p.getFileName().toString()) && Files.isRegularFile(p)) {
                    jars.add(p);
                }
            }
        }
        jars.sort(Comparator.comparing(p -> p.getFileName().toString()));
        List<String> out = new ArrayList<>();
        for (Path jar : jars) {
            PluginFile f = PluginFile.read(jar, null);
            if (f.isValid()) {
                out.add(line(f.id, f.version, f.hash) + "  # " + f.name);
            } else {
                skipped.add(f.name + ": " + f.invalidReason);
            }
        }
        return out;
    }

    /** The pins of {@code this} that {@code other} does not have, as lines; for the log of an edit. */
    List<String> missingFrom(PluginPins other) {
        List<String> out = new ArrayList<>();
        new TreeMap<>(hashes)
                .forEach((idVersion, set) -> new TreeSet<>(set).forEach(h -> {
                    if (!other.hashes.getOrDefault(idVersion, Set.of()).contains(h)) {
                        out.add(idVersion + ' ' + h);
                    }
                }));
        return out;
    }
}
