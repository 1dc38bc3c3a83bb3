package io.microrpc.plugin.filter.auth;

import io.microrpc.spi.PluginConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;

/**
 * Reads secrets (keys, tokens) from files. A file a secret is read from must be readable by its owner
 * only (no permission for group or others) where the file system has POSIX permissions, as ssh does
 * with private keys: a key others can read is no longer a secret. Error messages name the key and the
 * file, never the file's content.
 */
final class Secrets {

    /** HMAC-SHA256 keys shorter than the hash add no strength and are refused. */
    static final int MIN_KEY_BYTES = 32;

    private static final Set<PosixFilePermission> NOT_OWNER = EnumSet.of(
            PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_EXECUTE);

    private Secrets() {}

    /** The file of key {@code key}, checked to exist, be a regular file and readable by its owner only. */
    static Path ownerOnlyFile(PluginConfig c, String key, String value) {
        Path path = Path.of(value);
        if (!Files.isRegularFile(path)) {
            throw c.invalid(key, value, "an existing file");
        }
        PosixFileAttributeView posix = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        if (posix != null) {
            try {
                Set<PosixFilePermission> perms = posix.readAttributes().permissions();
                if (perms.stream().anyMatch(NOT_OWNER::contains)) {
                    throw c.invalid(
                            key, value, "a file only its owner may access, it holds a secret: chmod 600 " + value);
                }
            } catch (IOException e) {
                throw c.invalid(key, value, "a file whose permissions can be read (" + e + ")");
            }
        }
        return path;
    }

    /** The content of an owner-only file as text, trimmed. */
    static String readText(PluginConfig c, String key, String value) {
        Path path = ownerOnlyFile(c, key, value);
        try {
            return Files.readString(path).trim();
        } catch (IOException e) {
            throw c.invalid(key, value, "a readable file (" + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * A base64 HMAC key of at least {@link #MIN_KEY_BYTES} bytes; {@code where} names the key or file
     * line in the error, which never holds the value.
     */
    static byte[] hmacKey(PluginConfig c, String key, String where, String base64) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw c.invalid(key, where, "a base64 key, e.g. from: head -c 32 /dev/urandom | base64");
        }
        if (bytes.length < MIN_KEY_BYTES) {
            throw c.invalid(
                    key,
                    where,
                    "a key of at least " + MIN_KEY_BYTES + " bytes (it has " + bytes.length
                            + "), e.g. from: head -c 32 /dev/urandom | base64");
        }
        return bytes;
    }
}
