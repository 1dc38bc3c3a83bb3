package io.microrpc.plugin.registry.zookeeper;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The digest credentials ({@code user:password}) with which the processes of an installation write to
 * the embedded ZooKeeper server, generated at first use into a file only its owner can read, inside the
 * embedded server's data directory: every process that shares that directory (every
 * {@code bin/microrpc serve} of an installation) shares them, and a process of another user or another
 * installation cannot write the registry. docs/REGISTRY.md, "Access control".
 *
 * <p>The file appears complete or not at all (written under a temporary name, then linked to its
 * name, which fails if it exists), so processes starting at once agree on one password. Immutable.
 */
record EmbeddedCredentials(Path file, String user, String password) {

    static final String FILE_NAME = "credentials";
    static final String USER = "microrpc";
    private static final int PASSWORD_BYTES = 32;
    private static final Logger log = LoggerFactory.getLogger(EmbeddedCredentials.class);

    /** {@code user:password}, as ZooKeeper's digest scheme takes it. */
    String auth() {
        return user + ':' + password;
    }

    /**
     * Reads the credentials in {@code file}, creating it with new ones if it does not exist.
     *
     * @throws IOException naming the file and what to do if it cannot be created, read or parsed
     */
    static EmbeddedCredentials loadOrCreate(Path file) throws IOException {
        try {
            return read(file);
        } catch (NoSuchFileException e) {
            // Created here, or by a process that was quicker: either way, read what is there now.
            create(file);
            return read(file);
        }
    }

    private static EmbeddedCredentials read(Path file) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw e;
        } catch (AccessDeniedException e) {
            throw new IOException(
                    "cannot read the embedded ZooKeeper credentials " + file + " (permission denied): it belongs to "
                            + "the user the installation runs as; run microrpc as that user, or give this process "
                            + "an embedded-data-dir of its own (registry.zookeeper.embedded-data-dir)",
                    e);
        } catch (IOException e) {
            throw new IOException("cannot read the embedded ZooKeeper credentials " + file + ": " + e, e);
        }
        warnIfOthersMayRead(file);
        List<String> values = new ArrayList<>();
        for (String line : lines) {
            String l = line.strip();
            if (!l.isEmpty() && !l.startsWith("#")) {
                values.add(l);
            }
        }
        int colon = values.size() == 1 ? values.get(0).indexOf(':') : -1;
        if (colon <= 0 || colon == values.get(0).length() - 1) {
            throw new IOException("the embedded ZooKeeper credentials " + file + " are corrupt (expected: one line "
                    + "user:password). If no other microrpc process uses it (stop every process of this installation "
                    + "first), delete it to generate new credentials: the first process that starts the embedded "
                    + "server then applies them to the registry's nodes");
        }
        String value = values.get(0);
        return new EmbeddedCredentials(file, value.substring(0, colon), value.substring(colon + 1));
    }

    /** @return false if another process created the file first */
    private static boolean create(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        byte[] random = new byte[PASSWORD_BYTES];
        new SecureRandom().nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        String text = "# Written by microrpc's ZooKeeper registry: the processes sharing this directory write the\n"
                + "# embedded ZooKeeper server's nodes with these credentials. Keep it readable by their user only.\n"
                + USER + ':' + password + '\n';
        Path temp = dir.resolve(FILE_NAME + ".tmp-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try {
            try (OutputStream out = Files.newOutputStream(
                    Files.createFile(temp, ownerOnly()), StandardOpenOption.WRITE, StandardOpenOption.SYNC)) {
                out.write(text.getBytes(StandardCharsets.UTF_8));
            }
            // A link, unlike a rename, fails if the name exists: the first process's file wins, whole.
            Files.createLink(file, temp);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException | UnsupportedOperationException e) {
            throw new IOException("cannot create the embedded ZooKeeper credentials " + file + ": " + e, e);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void warnIfOthersMayRead(Path file) {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
            if (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)) {
                log.warn(
                        "The embedded ZooKeeper credentials {} are readable by other users ({}): anyone who can "
                                + "read them can change the registry. chmod 600 it",
                        file,
                        PosixFilePermissions.toString(p));
            }
        } catch (IOException | UnsupportedOperationException e) {
            log.debug("Cannot check the permissions of {}", file, e);
        }
    }

    /** rw------- where the file system has POSIX permissions; elsewhere the directory's defaults apply. */
    private static FileAttribute<?>[] ownerOnly() {
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[0];
        }
        Set<PosixFilePermission> rw = PosixFilePermissions.fromString("rw-------");
        return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(rw)};
    }

    @Override
    public String toString() {
        return "credentials of user " + user + " in " + file;
    }
}
