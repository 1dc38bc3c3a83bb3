package io.microrpc.kernel.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates for development and tests: a throwaway certificate authority and the certificates it
 * issues (EC P-256 keys, SHA-256 signatures), written as the PEM files {@code tls.*} read. Not for
 * production: the CA's key is never written, so nothing else can be issued from it.
 *
 * <p>{@link #writeDevelopmentSet(Path)} is what {@code microrpc tls-init DIR} and {@code microrpc demo
 * --tls} write.
 */
public final class DevCertificates {

    /** The file names of a development set, as docs/SECURITY.md lists them. */
    public static final String CA = "ca.pem";

    public static final String SERVER_CERT = "server-cert.pem";
    public static final String SERVER_KEY = "server-key.pem";
    public static final String CLIENT_CERT = "client-cert.pem";
    public static final String CLIENT_KEY = "client-key.pem";

    private static final SecureRandom RANDOM = new SecureRandom();

    private DevCertificates() {}

    /**
     * Writes a new CA ({@value #CA}), a server certificate valid for {@code localhost} and
     * {@code 127.0.0.1} ({@value #SERVER_CERT}, {@value #SERVER_KEY}) and a client certificate
     * ({@value #CLIENT_CERT}, {@value #CLIENT_KEY}, subject {@code CN=microrpc-client}, URI SAN
     * {@code spiffe://microrpc.local/client}) into {@code dir}, valid for a year. Keys are written readable by
     * their owner only.
     *
     * @throws UncheckedIOException if {@code dir} cannot be written or already holds one of the files
     */
    public static void writeDevelopmentSet(Path dir) {
        Authority ca = Authority.create("microrpc development CA");
        Instant now = Instant.now();
        Instant until = now.plus(Duration.ofDays(365));
        Issued server = ca.issue(Subject.server("localhost")
                .dns("localhost")
                .ip("127.0.0.1")
                .ip("::1")
                .validity(now, until));
        Issued client = ca.issue(Subject.client("microrpc-client")
                .uri("spiffe://microrpc.local/client")
                .validity(now, until));
        try {
            Files.createDirectories(dir);
            for (String name : List.of(CA, SERVER_CERT, SERVER_KEY, CLIENT_CERT, CLIENT_KEY)) {
                if (Files.exists(dir.resolve(name))) {
                    throw new FileAlreadyExistsException(dir.resolve(name).toString());
                }
            }
            write(dir.resolve(CA), ca.certificatePem(), false);
            write(dir.resolve(SERVER_CERT), server.certificatePem(ca), false);
            write(dir.resolve(SERVER_KEY), server.keyPem(), true);
            write(dir.resolve(CLIENT_CERT), client.certificatePem(ca), false);
            write(dir.resolve(CLIENT_KEY), client.keyPem(), true);
        } catch (FileAlreadyExistsException e) {
            throw new UncheckedIOException(
                    e.getFile() + " exists: give an empty or new folder (nothing was overwritten)", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the certificates into " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code text} to a new file (never overwriting one); {@code secret} files are created readable
     * by their owner only, where the file system has POSIX permissions.
     */
    public static void write(Path file, String text, boolean secret) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        if (secret && file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(file, bytes, StandardOpenOption.TRUNCATE_EXISTING);
        } else {
            Files.write(file, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }
    }

    /** The PEM text of a certificate. */
    public static String pem(X509Certificate certificate) {
        try {
            return pem("CERTIFICATE", certificate.getEncoded());
        } catch (CertificateException e) {
            throw new IllegalStateException("cannot encode " + certificate.getSubjectX500Principal(), e);
        }
    }

    /** The PEM text of a private key, PKCS#8 as {@code tls.key} reads it. */
    public static String pem(PrivateKey key) {
        return pem("PRIVATE KEY", key.getEncoded());
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot make EC P-256 keys", e);
        }
    }

    /** Who a certificate is for: its common name, names, purposes and validity. Immutable. */
    public static final class Subject {
        final String commonName;
        /** The whole subject name, {@code CN=} and the common name unless {@link #distinguishedName} set it. */
        final String name;

        final boolean server;
        final boolean client;
        final List<GeneralName> names;
        final Instant notBefore;
        final Instant notAfter;

        private Subject(
                String commonName,
                String name,
                boolean server,
                boolean client,
                List<GeneralName> names,
                Instant notBefore,
                Instant notAfter) {
            this.commonName = commonName;
            this.name = name;
            this.server = server;
            this.client = client;
            this.names = List.copyOf(names);
            this.notBefore = notBefore;
            this.notAfter = notAfter;
        }

        /** A server certificate (TLS server authentication), valid from now for a day. */
        public static Subject server(String commonName) {
            Instant now = Instant.now();
            return new Subject(
                    commonName, "CN=" + commonName, true, false, List.of(), now, now.plus(Duration.ofDays(1)));
        }

        /** A client certificate (TLS client authentication), valid from now for a day. */
        public static Subject client(String commonName) {
            Instant now = Instant.now();
            return new Subject(
                    commonName, "CN=" + commonName, false, true, List.of(), now, now.plus(Duration.ofDays(1)));
        }

        public Subject dns(String name) {
            return with(new GeneralName(GeneralName.dNSName, name));
        }

        public Subject ip(String address) {
            return with(new GeneralName(GeneralName.iPAddress, address));
        }

        public Subject uri(String uri) {
            return with(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
        }

        public Subject validity(Instant from, Instant until) {
            return new Subject(commonName, name, server, client, names, from, until);
        }

        /** The whole subject name as an X.500 name, e.g. {@code CN=billing,OU=Ops,O=Acme}. */
        public Subject distinguishedName(String x500) {
            return new Subject(commonName, x500, server, client, names, notBefore, notAfter);
        }

        private Subject with(GeneralName alternative) {
            List<GeneralName> more = new ArrayList<>(names);
            more.add(alternative);
            return new Subject(commonName, name, server, client, more, notBefore, notAfter);
        }
    }

    /** A certificate authority whose key lives only in memory. */
    public static final class Authority {
        private final KeyPair keys;
        private final X509Certificate certificate;

        private Authority(KeyPair keys, X509Certificate certificate) {
            this.keys = keys;
            this.certificate = certificate;
        }

        /** A new self-signed CA named {@code CN=commonName}, valid for ten years. */
        public static Authority create(String commonName) {
            KeyPair keys = newKeyPair();
            X500Name name = new X500Name("CN=" + commonName);
            Instant now = Instant.now();
            try {
                JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
                X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                                name,
                                serial(),
                                Date.from(now.minus(Duration.ofMinutes(5))),
                                Date.from(now.plus(Duration.ofDays(3650))),
                                name,
                                keys.getPublic())
                        .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                        .addExtension(
                                Extension.subjectKeyIdentifier,
                                false,
                                ext.createSubjectKeyIdentifier(keys.getPublic()));
                return new Authority(keys, sign(b, keys.getPrivate()));
            } catch (GeneralSecurityException | CertIOException e) {
                throw new IllegalStateException("cannot create a CA certificate", e);
            }
        }

        public X509Certificate certificate() {
            return certificate;
        }

        public String certificatePem() {
            return pem(certificate);
        }

        /** A certificate for {@code subject}, with a new key, signed by this CA. */
        public Issued issue(Subject subject) {
            KeyPair pair = newKeyPair();
            try {
                JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
                List<KeyPurposeId> purposes = new ArrayList<>();
                if (subject.server) {
                    purposes.add(KeyPurposeId.id_kp_serverAuth);
                }
                if (subject.client) {
                    purposes.add(KeyPurposeId.id_kp_clientAuth);
                }
                X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                                certificate,
                                serial(),
                                Date.from(subject.notBefore),
                                Date.from(subject.notAfter),
                                new X500Name(subject.name),
                                pair.getPublic())
                        .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                        .addExtension(
                                Extension.keyUsage,
                                true,
                                new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                        .addExtension(
                                Extension.extendedKeyUsage,
                                false,
                                new ExtendedKeyUsage(purposes.toArray(new KeyPurposeId[0])))
                        .addExtension(
                                Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate))
                        .addExtension(
                                Extension.subjectKeyIdentifier,
                                false,
                                ext.createSubjectKeyIdentifier(pair.getPublic()));
                if (!subject.names.isEmpty()) {
                    b.addExtension(
                            Extension.subjectAlternativeName,
                            false,
                            new GeneralNames(subject.names.toArray(new GeneralName[0])));
                }
                return new Issued(sign(b, keys.getPrivate()), pair.getPrivate());
            } catch (GeneralSecurityException | CertIOException e) {
                throw new IllegalStateException("cannot issue a certificate for " + subject.commonName, e);
            }
        }

        private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws CertificateException {
            try {
                return new JcaX509CertificateConverter()
                        .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
            } catch (OperatorCreationException e) {
                throw new CertificateException("cannot sign with " + key.getAlgorithm(), e);
            }
        }

        private static BigInteger serial() {
            return new BigInteger(64, RANDOM).add(BigInteger.ONE);
        }
    }

    /** A certificate and its private key. */
    public static final class Issued {
        private final X509Certificate certificate;
        private final PrivateKey key;

        Issued(X509Certificate certificate, PrivateKey key) {
            this.certificate = certificate;
            this.key = key;
        }

        public X509Certificate certificate() {
            return certificate;
        }

        public PrivateKey key() {
            return key;
        }

        /** The certificate then its issuer's, as {@code tls.cert} takes a chain. */
        public String certificatePem(Authority issuer) {
            return pem(certificate) + pem(issuer.certificate());
        }

        public String keyPem() {
            return pem(key);
        }
    }
}
