package io.microrpc.plugin.filter.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

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
     * A self-signed certificate for {@code subject} (an X.500 name such as {@code CN=billing,O=Acme}),
     * with the URI and DNS subject alternative names given (none if null).
     */
    static X509Certificate certificate(String subject, String uriSan, String dnsSan) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(256);
            KeyPair pair = g.generateKeyPair();
            long now = System.currentTimeMillis();
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                    new X500Name(subject),
                    BigInteger.valueOf(RANDOM.nextInt(Integer.MAX_VALUE)),
                    Date.from(Instant.ofEpochMilli(now - 60_000)),
                    Date.from(Instant.ofEpochMilli(now + 3_600_000)),
                    new X500Name(subject),
                    pair.getPublic());
            List<GeneralName> names = new ArrayList<>();
            if (uriSan != null) {
                names.add(new GeneralName(GeneralName.uniformResourceIdentifier, uriSan));
            }
            if (dnsSan != null) {
                names.add(new GeneralName(GeneralName.dNSName, dnsSan));
            }
            if (!names.isEmpty()) {
                b.addExtension(
                        Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(new GeneralName[0])));
            }
            return new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a test certificate", e);
        }
    }
}
