package io.microrpc.kernel.internal.plugin;

import io.microrpc.kernel.plugin.PluginReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * What the plugins folder holds under one file name at one moment: size, modification time, content
 * hash and the plugin id and version its manifest declares, or why it is not a plugin. Immutable.
 */
final class PluginFile {

    private static final String UNREADABLE = "not a valid JAR";

    final Path path;
    final String name;
    /** What the folder showed when the file was read. */
    final FolderScanner.Observation observation;

    /** The SHA-256 of the file's bytes, 64 hex digits (what {@code sha256sum} prints). */
    final String hash;

    final String id;
    final String version;
    /** Null when the manifest declares a plugin; else why the file is refused. */
    final String invalidReason;

    private PluginFile(
            Path path,
            FolderScanner.Observation observation,
            String hash,
            String id,
            String version,
            String invalidReason) {
        this.path = path;
        this.name = path.getFileName().toString();
        this.observation = observation;
        this.hash = hash;
        this.id = id;
        this.version = version;
        this.invalidReason = invalidReason;
    }

    /**
     * The plugin id the manifest of {@code path} declares, without hashing the file: for files still
     * being written, to learn which plugin they will replace. Null when the file is not (yet) a
     * readable JAR or declares no id.
     */
    static String peekId(Path path) {
        try (JarFile jf = new JarFile(path.toFile())) {
            Manifest m = jf.getManifest();
            String id = m == null ? null : m.getMainAttributes().getValue("Plugin-Id");
            return id == null || id.isBlank() ? null : id.trim();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The file name without its version and extension, e.g. {@code plugin-codec-protostuff} for
     * {@code plugin-codec-protostuff-0.1.1.jar}: how an operator's release of the same plugin is
     * recognised when its JAR cannot be read (yet) to learn its plugin id.
     */
    static String stem(String fileName) {
        String base = fileName.endsWith(".jar") ? fileName.substring(0, fileName.length() - 4) : fileName;
        String stem = base.replaceFirst("[-_.]v?[0-9].*$", "");
        return stem.isEmpty() ? base : stem;
    }

    /**
     * Whether {@code other} holds the same content as this: the same bytes (hash) declaring the same
     * plugin id and version.
     */
    boolean sameContent(PluginFile other) {
        return hash.equals(other.hash) && Objects.equals(id, other.id) && Objects.equals(version, other.version);
    }

    /** Whether this file is a JAR that could not be read at all (as opposed to a JAR that is no plugin). */
    boolean isUnreadable() {
        return id == null && invalidReason != null && invalidReason.startsWith(UNREADABLE);
    }

    /** Reads {@code path}: hashes it and reads its manifest. */
    static PluginFile read(Path path, FolderScanner.Observation observation) throws IOException {
        String hash = sha256(path);
        Manifest manifest;
        try (JarFile jf = new JarFile(path.toFile())) {
            manifest = jf.getManifest();
        } catch (IOException e) {
            return new PluginFile(
                    path,
                    observation,
                    hash,
                    null,
                    null,
                    UNREADABLE + " (" + e.getMessage() + "); replace it with a complete plugin JAR");
        }
        String id = manifest == null ? null : manifest.getMainAttributes().getValue("Plugin-Id");
        String version = manifest == null ? null : manifest.getMainAttributes().getValue("Plugin-Version");
        if (id == null || id.isBlank() || version == null || version.isBlank()) {
            return new PluginFile(
                    path,
                    observation,
                    hash,
                    id,
                    version,
                    "not a microrpc plugin: META-INF/MANIFEST.MF needs Plugin-Id and Plugin-Version");
        }
        return new PluginFile(path, observation, hash, id.trim(), version.trim(), null);
    }

    /**
     * Whether this file came into the folder after {@code current} was loaded: only then can it be
     * {@code current}'s replacement. A broken JAR that was there all along replaces nothing.
     */
    boolean arrivedAfter(Generation current) {
        return current != null && observation.since() - current.loadedNanos > 0;
    }

    boolean isValid() {
        return invalidReason == null;
    }

    PluginReport report(PluginReport.State state, String reason) {
        return PluginReport.failed(name, id, version, state, reason);
    }

    static String sha256(Path path) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(path), sha)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    @Override
    public String toString() {
        return name + (isValid() ? " (" + id + ' ' + version + ')' : " (invalid)");
    }
}
