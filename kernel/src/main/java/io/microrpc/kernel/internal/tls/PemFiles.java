package io.microrpc.kernel.internal.tls;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads PEM certificates and PKCS#8 private keys, with errors that say what is wrong and how to fix it. */
final class PemFiles {

    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448");

    private PemFiles() {}

    /** The certificates of a PEM file, in file order; at least one. */
    static List<X509Certificate> certificates(byte[] pem, String what) throws TlsMaterialException {
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (Block b : blocks(pem)) {
                if (b.type.equals("CERTIFICATE")) {
                    out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(b.der)));
                }
            }
        } catch (CertificateException | IllegalArgumentException e) {
            throw new TlsMaterialException(what + ": a certificate does not parse (" + e.getMessage() + ")", e);
        }
        if (out.isEmpty()) {
            throw new TlsMaterialException(what + ": no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)");
        }
        return out;
    }

    /** The one private key of a PEM file: PKCS#8, unencrypted. */
    static PrivateKey privateKey(byte[] pem, String what) throws TlsMaterialException {
        List<Block> blocks = blocks(pem);
        for (Block b : blocks) {
            switch (b.type) {
                case "PRIVATE KEY":
                    return pkcs8(b.der, what);
                case "ENCRYPTED PRIVATE KEY":
                    throw new TlsMaterialException(what + ": the key is encrypted; give it unencrypted, with the file"
                            + " readable by this user only (openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8)");
                case "RSA PRIVATE KEY":
                case "EC PRIVATE KEY":
                    throw new TlsMaterialException(what + ": the key is in the " + b.type.substring(0, 2)
                            + "-specific format (BEGIN " + b.type + "); convert it to PKCS#8 with"
                            + " openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
                default:
                    break;
            }
        }
        throw new TlsMaterialException(what + ": no PEM private key in it (expected -----BEGIN PRIVATE KEY-----)");
    }

    private static PrivateKey pkcs8(byte[] der, String what) throws TlsMaterialException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // not this algorithm: try the next
            }
        }
        throw new TlsMaterialException(what + ": the PKCS#8 key is not an RSA, EC or EdDSA key this JVM reads");
    }

    private static List<Block> blocks(byte[] pem) throws TlsMaterialException {
        String text = new String(pem, StandardCharsets.US_ASCII);
        Matcher m = BLOCK.matcher(text);
        List<Block> out = new ArrayList<>();
        while (m.find()) {
            try {
                out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
            } catch (IllegalArgumentException e) {
                throw new TlsMaterialException("a PEM block " + m.group(1) + " is not valid base64", e);
            }
        }
        return out;
    }

    private static final class Block {
        final String type;
        final byte[] der;

        Block(String type, byte[] der) {
            this.type = type;
            this.der = der;
        }
    }
}
