package io.microrpc.plugin.filter.auth;

import static io.microrpc.plugin.filter.auth.AuthTestSupport.SERVICE;
import static io.microrpc.plugin.filter.auth.AuthTestSupport.assertRan;
import static io.microrpc.plugin.filter.auth.AuthTestSupport.call;
import static io.microrpc.plugin.filter.auth.AuthTestSupport.refusal;
import static io.microrpc.plugin.filter.auth.AuthTestSupport.serve;
import static io.microrpc.plugin.filter.auth.AuthTestSupport.started;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.microrpc.spi.Status;
import io.microrpc.testkit.TestPluginContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JWTs on the server: signature (shared secret, PEM public key, JWKS), exp/nbf with the skew, iss, aud. */
class JwtAuthTest {

    @TempDir
    Path dir;

    private final String secret = "a-shared-secret-of-at-least-32-bytes-0123456789";
    private TestPluginContext context;
    private Auth auth;

    @BeforeEach
    void start() throws Exception {
        context = TestPluginContext.forExtension(
                "filter",
                "auth",
                "jwt.secret-file",
                TestCredentials.ownerOnly(dir.resolve("jwt-secret"), secret + "\n"),
                "jwt.issuer",
                "https://issuer.example",
                "jwt.audience",
                "orders",
                "allow." + SERVICE,
                "svc-a");
        auth = started(context);
    }

    private static Date at(long epochSeconds) {
        return Date.from(Instant.ofEpochSecond(epochSeconds));
    }

    private long nowSeconds() {
        return context.millis() / 1000;
    }

    /** Valid claims for svc-a: issued now, expiring in 5 minutes; {@code edit} changes them. */
    private JWTClaimsSet claims(UnaryOperator<JWTClaimsSet.Builder> edit) {
        long now = nowSeconds();
        return edit.apply(new JWTClaimsSet.Builder()
                        .subject("svc-a")
                        .issuer("https://issuer.example")
                        .audience("orders")
                        .issueTime(at(now))
                        .expirationTime(at(now + 300)))
                .build();
    }

    private static String sign(JWSSigner signer, JWSAlgorithm alg, String kid, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).build(), claims);
        jwt.sign(signer);
        return "Bearer " + jwt.serialize();
    }

    private String hs256(JWTClaimsSet claims) throws Exception {
        return sign(new MACSigner(secret), JWSAlgorithm.HS256, null, claims);
    }

    @Test
    void aValidTokenPassesAndItsSubjectIsTheIdentity() throws Exception {
        assertRan(serve(auth, call("lookup", hs256(claims(b -> b)))));
        assertThat(refusal(serve(auth, call("lookup", hs256(claims(b -> b.subject("svc-b"))))))
                        .code())
                .as("another subject is authenticated but not allowed")
                .isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    @Test
    void anExpiredTokenIsRefusedBeyondTheSkewOnly() throws Exception {
        long now = nowSeconds();
        assertRan(serve(auth, call("lookup", hs256(claims(b -> b.expirationTime(at(now - 29)))))));
        assertThat(refusal(serve(auth, call("lookup", hs256(claims(b -> b.expirationTime(at(now - 31)))))))
                        .code())
                .isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(refusal(serve(auth, call("lookup", hs256(claims(b -> b.expirationTime(null))))))
                        .code())
                .as("a token without exp never expires: refused")
                .isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void aTokenNotValidYetIsRefusedBeyondTheSkewOnly() throws Exception {
        long now = nowSeconds();
        assertRan(serve(auth, call("lookup", hs256(claims(b -> b.notBeforeTime(at(now + 29)))))));
        assertThat(refusal(serve(auth, call("lookup", hs256(claims(b -> b.notBeforeTime(at(now + 31)))))))
                        .code())
                .isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void aWrongSignatureIsRefusedWithTheSameDescriptionAsAnExpiredToken() throws Exception {
        String forged = sign(
                new MACSigner("another-secret-of-at-least-32-bytes-9876543210"),
                JWSAlgorithm.HS256,
                null,
                claims(b -> b));
        String expired = hs256(claims(b -> b.expirationTime(at(nowSeconds() - 600))));
        var a = refusal(serve(auth, call("lookup", forged)));
        var b = refusal(serve(auth, call("lookup", expired)));
        assertThat(a.code()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(a.status().description()).isEqualTo(b.status().description()).doesNotContain(secret);
    }

    @Test
    void anotherIssuerOrAudienceIsRefused() throws Exception {
        assertThat(refusal(serve(auth, call("lookup", hs256(claims(b -> b.issuer("https://evil.example"))))))
                        .code())
                .isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(refusal(serve(auth, call("lookup", hs256(claims(b -> b.audience("billing"))))))
                        .code())
                .isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void anUnsignedOrGarbledTokenIsRefused() throws Exception {
        String header = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8));
        String body = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(claims(b -> b).toString().getBytes(StandardCharsets.UTF_8));
        for (String bad : new String[] {"Bearer " + header + "." + body + ".", "Bearer not-a-jwt", "Bearer "}) {
            assertThat(refusal(serve(auth, call("lookup", bad))).code()).as(bad).isEqualTo(Status.Code.UNAUTHENTICATED);
        }
    }

    @Test
    void rsaTokensVerifyWithAPemPublicKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair pair = g.generateKeyPair();
        Path pem = dir.resolve("issuer.pem");
        Files.writeString(
                pem,
                "-----BEGIN PUBLIC KEY-----\n"
                        + Base64.getMimeEncoder()
                                .encodeToString(pair.getPublic().getEncoded())
                        + "\n-----END PUBLIC KEY-----\n");
        Auth rsa = started(TestPluginContext.forExtension(
                "filter", "auth", "jwt.public-key-file", pem.toString(), "allow." + SERVICE, "*"));
        assertRan(serve(
                rsa,
                call("ping", sign(new RSASSASigner(pair.getPrivate()), JWSAlgorithm.RS256, null, claims(b -> b)))));
        KeyPair other = g.generateKeyPair();
        assertThat(refusal(serve(
                                rsa,
                                call(
                                        "ping",
                                        sign(
                                                new RSASSASigner(other.getPrivate()),
                                                JWSAlgorithm.RS256,
                                                null,
                                                claims(b -> b)))))
                        .code())
                .isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(refusal(serve(rsa, call("ping", hs256(claims(b -> b))))).code())
                .as("no secret configured: HS256 is refused, whatever it was signed with")
                .isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void ecTokensVerifyWithAJwksKeyChosenByKid() throws Exception {
        ECKey k1 = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
        ECKey k2 = new ECKeyGenerator(Curve.P_256).keyID("k2").generate();
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, new JWKSet(List.of(k1.toPublicJWK(), k2.toPublicJWK())).toString());
        Auth ec = started(TestPluginContext.forExtension(
                "filter", "auth", "jwt.jwks-file", jwks.toString(), "allow." + SERVICE, "*"));
        assertRan(serve(ec, call("ping", sign(new ECDSASigner(k2), JWSAlgorithm.ES256, "k2", claims(b -> b)))));
        assertThat(refusal(serve(ec, call("ping", sign(new ECDSASigner(k2), JWSAlgorithm.ES256, "k1", claims(b -> b)))))
                        .code())
                .as("signed by k2, claiming k1")
                .isEqualTo(Status.Code.UNAUTHENTICATED);
    }
}
