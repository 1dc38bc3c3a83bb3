package io.microrpc.plugin.filter.auth;

import io.microrpc.kernel.tls.DevCertificates.Authority;
import io.microrpc.kernel.tls.DevCertificates.Subject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Base64;

/** Keys, key files and certificates made by the tests. */
final class TestCredentials {

    private static final SecureRandom RANDOM = new SecureRandom();

    private TestCredentials() {}

    /** A new random 32-byte HMAC key. */
    static byte[] newKey() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return key;
    }

    static String base64(byte[] key) {
        return Base64.getEncoder().encodeToString(key);
    }

    /** Writes {@code content} to {@code file}, readable by its owner only, and returns its path as text. */
    static String ownerOnly(Path file, String content) {
        try {
            Files.writeString(file, content);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            return file.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A client certificate for {@code subject} (an X.500 name such as {@code CN=billing,O=Acme}), with the
     * URI and DNS subject alternative names given (none if null), issued by a CA made for it.
     */
    static X509Certificate certificate(String subject, String uriSan, String dnsSan) {
        Subject s = Subject.client("test").distinguishedName(subject);
        if (uriSan != null) {
            s = s.uri(uriSan);
        }
        if (dnsSan != null) {
            s = s.dns(dnsSan);
        }
        return Authority.create("auth test CA").issue(s).certificate();
    }
}
