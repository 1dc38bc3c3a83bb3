package io.microrpc.plugin.filter.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import io.microrpc.spi.PluginConfig;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The keys JWT signatures are checked with: a shared secret for HS256/384/512 ({@code jwt.secret-file}),
 * and RSA or EC public keys for RS*, PS* and ES* from a PEM file ({@code jwt.public-key-file}: a public
 * key or a certificate) or a JWKS file ({@code jwt.jwks-file}). A token's algorithm picks the kind of
 * key; a {@code kid} in its header picks the JWKS key. Immutable.
 */
final class JwtKeys {

    private final byte[] secret;
    private final List<JWK> publicKeys;

    private JwtKeys(byte[] secret, List<JWK> publicKeys) {
        this.secret = secret;
        this.publicKeys = publicKeys;
    }

    /** The keys the configuration names; null when it names none (JWTs are then refused). */
    static JwtKeys load(PluginConfig c) {
        byte[] secret = null;
        String secretFile = c.get("jwt.secret-file").orElse(null);
        if (secretFile != null) {
            secret = Secrets.readText(c, "jwt.secret-file", secretFile).getBytes(StandardCharsets.UTF_8);
            if (secret.length < Secrets.MIN_KEY_BYTES) {
                throw c.invalid(
                        "jwt.secret-file",
                        secretFile,
                        "a secret of at least " + Secrets.MIN_KEY_BYTES + " bytes (HS256 needs 256 bits)");
            }
        }
        List<JWK> keys = new ArrayList<>();
        c.get("jwt.public-key-file").ifPresent(f -> keys.add(pem(c, f)));
        c.get("jwt.jwks-file").ifPresent(f -> keys.addAll(jwks(c, f)));
        return secret == null && keys.isEmpty() ? null : new JwtKeys(secret, List.copyOf(keys));
    }

    /**
     * The verifiers a token with this header may be checked with: none when no configured key fits its
     * algorithm (or its {@code kid}).
     */
    List<JWSVerifier> verifiersFor(JWSHeader header) throws Exception {
        JWSAlgorithm alg = header.getAlgorithm();
        List<JWSVerifier> verifiers = new ArrayList<>();
        if (JWSAlgorithm.Family.HMAC_SHA.contains(alg)) {
            if (secret != null) {
                verifiers.add(new MACVerifier(secret));
            }
            return verifiers;
        }
        boolean rsa = JWSAlgorithm.Family.RSA.contains(alg);
        boolean ec = JWSAlgorithm.Family.EC.contains(alg);
        for (JWK key : publicKeys) {
            if (header.getKeyID() != null
                    && key.getKeyID() != null
                    && !header.getKeyID().equals(key.getKeyID())) {
                continue;
            }
            if (key.getKeyUse() != null && !KeyUse.SIGNATURE.equals(key.getKeyUse())) {
                continue;
            }
            if (rsa && key instanceof RSAKey r) {
                verifiers.add(new RSASSAVerifier(r));
            } else if (ec
                    && key instanceof ECKey e
                    && Curve.forJWSAlgorithm(alg).contains(e.getCurve())) {
                verifiers.add(new ECDSAVerifier(e));
            }
        }
        return verifiers;
    }

    private static JWK pem(PluginConfig c, String file) {
        String text;
        try {
            text = Files.readString(Path.of(file), StandardCharsets.US_ASCII);
        } catch (Exception e) {
            throw c.invalid(
                    "jwt.public-key-file",
                    file,
                    "a readable PEM file (" + e.getClass().getSimpleName() + ")");
        }
        try {
            PublicKey key;
            if (text.contains("-----BEGIN CERTIFICATE-----")) {
                key = CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)))
                        .getPublicKey();
            } else {
                int begin = text.indexOf("-----BEGIN PUBLIC KEY-----");
                int end = text.indexOf("-----END PUBLIC KEY-----");
                if (begin < 0 || end < begin) {
                    throw new IllegalArgumentException("no PUBLIC KEY or CERTIFICATE block");
                }
                byte[] der = Base64.getMimeDecoder()
                        .decode(text.substring(begin + "-----BEGIN PUBLIC KEY-----".length(), end));
                X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
                try {
                    key = KeyFactory.getInstance("RSA").generatePublic(spec);
                } catch (Exception notRsa) {
                    key = KeyFactory.getInstance("EC").generatePublic(spec);
                }
            }
            if (key instanceof RSAPublicKey rsa) {
                return new RSAKey.Builder(rsa).build();
            }
            if (key instanceof ECPublicKey ec) {
                return new ECKey.Builder(Curve.forECParameterSpec(ec.getParams()), ec).build();
            }
            throw new IllegalArgumentException("a " + key.getAlgorithm() + " key");
        } catch (Exception e) {
            throw c.invalid(
                    "jwt.public-key-file",
                    file,
                    "a PEM RSA or EC public key (BEGIN PUBLIC KEY) or certificate (BEGIN CERTIFICATE): "
                            + e.getMessage());
        }
    }

    private static List<JWK> jwks(PluginConfig c, String file) {
        try {
            return JWKSet.load(Path.of(file).toFile()).getKeys().stream()
                    .filter(k -> k instanceof RSAKey || k instanceof ECKey)
                    .map(JWK::toPublicJWK)
                    .toList();
        } catch (Exception e) {
            throw c.invalid(
                    "jwt.jwks-file", file, "a readable JWK set (RFC 7517) of RSA or EC keys: " + e.getMessage());
        }
    }
}
