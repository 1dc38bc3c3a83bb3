package io.microrpc.kernel.internal.tls;

import io.microrpc.kernel.config.KernelSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;

/**
 * The certificate chain, private key and trusted CAs of a kernel, read from the files {@code tls.cert},
 * {@code tls.key} and {@code tls.trust} name, checked (the key belongs to the certificate) and
 * immutable. Two loads of the same bytes are {@link #sameAs the same}.
 */
final class TlsMaterial {

    /** This kernel's certificate first; empty when {@code tls.cert} is not set. */
    final List<X509Certificate> chain;
    /** The key of {@code chain.get(0)}; null when {@code tls.cert} is not set. */
    final PrivateKey key;
    /** The CAs that verify peers; empty = the JDK's trust store. */
    final List<X509Certificate> trust;

    private final byte[] digest;

    private TlsMaterial(List<X509Certificate> chain, PrivateKey key, List<X509Certificate> trust, byte[] digest) {
        this.chain = chain;
        this.key = key;
        this.trust = trust;
        this.digest = digest;
    }

    static TlsMaterial load(KernelSettings s) throws TlsMaterialException {
        Path certFile = s.tlsCert();
        Path keyFile = s.tlsKey();
        Path trustFile = s.tlsTrust();
        boolean hasCert = isSet(certFile);
        if (hasCert != isSet(keyFile)) {
            throw new TlsMaterialException(
                    hasCert
                            ? "tls.cert is set but tls.key is not: give the private key of the certificate too"
                            : "tls.key is set but tls.cert is not: give the certificate chain of the key too");
        }
        MessageDigest sha = sha256();
        List<X509Certificate> chain = List.of();
        PrivateKey key = null;
        if (hasCert) {
            byte[] certBytes = read(certFile, "tls.cert");
            byte[] keyBytes = read(keyFile, "tls.key");
            sha.update(certBytes);
            sha.update(keyBytes);
            chain = PemFiles.certificates(certBytes, "tls.cert " + certFile);
            key = PemFiles.privateKey(keyBytes, "tls.key " + keyFile);
            checkPair(chain.get(0), key, certFile, keyFile);
        }
        List<X509Certificate> trust = List.of();
        if (isSet(trustFile)) {
            byte[] trustBytes = read(trustFile, "tls.trust");
            sha.update(trustBytes);
            trust = PemFiles.certificates(trustBytes, "tls.trust " + trustFile);
        }
        return new TlsMaterial(List.copyOf(chain), key, List.copyOf(trust), sha.digest());
    }

    static boolean isSet(Path p) {
        return !p.toString().isEmpty();
    }

    boolean sameAs(TlsMaterial other) {
        return other != null && Arrays.equals(digest, other.digest);
    }

    /** The subject and validity of this kernel's certificate, for the log; "no certificate" without one. */
    String describe() {
        if (chain.isEmpty()) {
            return "no certificate";
        }
        X509Certificate c = chain.get(0);
        return "certificate " + c.getSubjectX500Principal().getName() + " (serial "
                + c.getSerialNumber().toString(16) + ", valid until "
                + c.getNotAfter().toInstant() + ")";
    }

    private static void checkPair(X509Certificate cert, PrivateKey key, Path certFile, Path keyFile)
            throws TlsMaterialException {
        String algorithm = signatureAlgorithm(key);
        try {
            byte[] probe = "microrpc key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(probe);
            if (verifier.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            // a key of another algorithm than the certificate's: not its key
        }
        throw new TlsMaterialException("tls.key " + keyFile + " is not the private key of the certificate in tls.cert "
                + certFile + " (" + cert.getSubjectX500Principal().getName()
                + "); give the key the certificate was issued for");
    }

    private static String signatureAlgorithm(PrivateKey key) {
        switch (key.getAlgorithm()) {
            case "RSA":
                return "SHA256withRSA";
            case "EC":
                return "SHA256withECDSA";
            default:
                return key.getAlgorithm(); // Ed25519, Ed448
        }
    }

    private static byte[] read(Path file, String key) throws TlsMaterialException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new TlsMaterialException(key + " " + file + ": no such file", e);
        } catch (IOException e) {
            throw new TlsMaterialException(key + " " + file + ": cannot be read (" + e + ")", e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
