package io.microrpc.kernel.admin;

import io.microrpc.kernel.config.KernelSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The secret every admin request carries ({@code Authorization: Bearer <token>}), kept in a file only its
 * owner can read: {@code admin.token-file}, by default {@code <data.dir>/admin.token}. The first kernel of
 * an installation creates it; every later one, and the launcher's commands, read it, so they share one
 * token. The token is never logged, and {@link #toString()} shows only the file. Immutable, thread-safe.
 */
public final class AdminToken {

    private static final Logger log = LoggerFactory.getLogger(AdminToken.class);

    /** The file name under {@code data.dir} when {@code admin.token-file} is empty. */
    public static final String DEFAULT_FILE_NAME = "admin.token";

    private static final int TOKEN_BYTES = 32;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final Path file;
    private final byte[] token;

    private AdminToken(Path file, String token) {
        this.file = file;
        this.token = token.getBytes(StandardCharsets.US_ASCII);
    }

    /** Where the kernels configured by {@code settings} keep their token: {@code admin.token-file}, else {@code <data.dir>/admin.token}. */
    public static Path file(KernelSettings settings) {
        Path configured = settings.adminTokenFile();
        return configured.toString().isEmpty()
                ? settings.dataDir().resolve(DEFAULT_FILE_NAME).toAbsolutePath()
                : configured.toAbsolutePath();
    }

    /**
     * The token in {@code file}, created first if there is none: 32 random bytes, base64url without
     * padding, in a file made owner-only ({@code rw-------}) at its creation. The file appears complete
     * or not at all (written under another name, then linked), so kernels starting together end up with
     * the same token.
     */
    public static AdminToken loadOrCreate(Path file) throws IOException {
        Path target = file.toAbsolutePath();
        if (!Files.exists(target)) {
            create(target);
        } else {
            warnIfOthersMayRead(target);
        }
        return load(target);
    }

    private static void warnIfOthersMayRead(Path target) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(target, PosixFileAttributeView.class);
        if (view == null) {
            return;
        }
        Set<PosixFilePermission> permissions = view.readAttributes().permissions();
        if (!OWNER_ONLY.containsAll(permissions)) {
            log.warn(
                    "The admin token file {} is {}: users other than its owner may read it and drive the admin "
                            + "endpoint; restrict it with `chmod 600 {}`",
                    target,
                    PosixFilePermissions.toString(permissions),
                    target);
        }
    }

    /** The token in {@code file}, which must exist; the message of a failure says what to do. */
    public static AdminToken load(Path file) throws IOException {
        Path target = file.toAbsolutePath();
        String text;
        try {
            text = Files.readString(target, StandardCharsets.US_ASCII).trim();
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(
                    target.toString(),
                    null,
                    "no admin token file (a kernel creates it at its first start with this data.dir or"
                            + " admin.token-file)");
        }
        if (text.isEmpty() || !text.matches("[A-Za-z0-9_-]+")) {
            throw new IOException("admin.token-file: '" + target + "' does not hold a token (expected: one line of"
                    + " base64url characters; delete the file and the next kernel start creates a new one)");
        }
        return new AdminToken(target, text);
    }

    private static void create(Path target) throws IOException {
        Path dir = target.getParent();
        Files.createDirectories(dir);
        byte[] random = new byte[TOKEN_BYTES];
        new SecureRandom().nextBytes(random);
        byte[] text = (Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "\n")
                .getBytes(StandardCharsets.US_ASCII);
        boolean posix = Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class);
        FileAttribute<?>[] attributes = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                : new FileAttribute<?>[0];
        // Owner-only from the first byte: permissions set after creation would leave a window to read it.
        Path temporary = Files.createTempFile(dir, "." + target.getFileName(), ".tmp", attributes);
        try {
            Files.write(temporary, text);
            try {
                Files.createLink(target, temporary); // fails if another kernel made it first: then theirs is used
            } catch (UnsupportedOperationException noHardLinks) {
                Files.move(temporary, target);
            }
            if (!posix) {
                log.warn(
                        "Created the admin token file {}, but its file system has no POSIX permissions, so they "
                                + "could not be restricted to the owner: make sure only the kernel's user can read it",
                        target);
            } else {
                log.info("Created the admin token file {} (owner-only)", target);
            }
        } catch (FileAlreadyExistsException raced) {
            log.debug("Admin token file {} created meanwhile by another kernel; using it", target);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** Whether {@code presented} is this token, compared in time independent of where they differ. */
    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.US_ASCII));
    }

    /** The file the token was read from. */
    public Path file() {
        return file;
    }

    /** The header value a client sends: {@code Bearer <token>}. Never log it. */
    public String authorization() {
        return "Bearer " + new String(token, StandardCharsets.US_ASCII);
    }

    @Override
    public String toString() {
        return "AdminToken[" + file + "]";
    }
}
