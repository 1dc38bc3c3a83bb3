package io.microrpc.kernel.internal.plugin;

import io.microrpc.kernel.plugin.PluginReport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * What the plugins folder holds under one file name at one moment: size, modification time, content
 * hash and the plugin id and version its manifest declares, or why it is not a plugin. Immutable.
 */
final class PluginFile {

    final Path path;
    final String name;
    final long size;
    final long modified;
    final String hash;
    final String id;
    final String version;
    /** Null when the manifest declares a plugin; else why the file is refused. */
    final String invalidReason;

    private PluginFile(Path path, long size, long modified, String hash, String id, String version, String invalidReason) {
        this.path = path;
        this.name = path.getFileName().toString();
        this.size = size;
        this.modified = modified;
        this.hash = hash;
        this.id = id;
        this.version = version;
        this.invalidReason = invalidReason;
    }

    /** Reads {@code path}: hashes it and reads its manifest. */
    static PluginFile read(Path path, long size, long modified) throws IOException {
        String hash = sha256(path);
        Manifest manifest;
        try (JarFile jf = new JarFile(path.toFile())) {
            manifest = jf.getManifest();
        } catch (IOException e) {
            return new PluginFile(path, size, modified, hash, null, null,
                    "not a readable JAR (" + e.getMessage() + "); replace it with a complete plugin JAR");
        }
        String id = manifest == null ? null : manifest.getMainAttributes().getValue("Plugin-Id");
        String version = manifest == null ? null : manifest.getMainAttributes().getValue("Plugin-Version");
        if (id == null || id.isBlank() || version == null || version.isBlank()) {
            return new PluginFile(path, size, modified, hash, id, version,
                    "not a microrpc plugin: META-INF/MANIFEST.MF needs Plugin-Id and Plugin-Version");
        }
        return new PluginFile(path, size, modified, hash, id.trim(), version.trim(), null);
    }

    boolean isValid() {
        return invalidReason == null;
    }

    boolean sameContentAs(PluginFile other) {
        return other != null && hash.equals(other.hash);
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
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(sha.digest()).substring(0, 24);
    }

    @Override
    public String toString() {
        return name + (isValid() ? " (" + id + ' ' + version + ')' : " (invalid)");
    }
}
