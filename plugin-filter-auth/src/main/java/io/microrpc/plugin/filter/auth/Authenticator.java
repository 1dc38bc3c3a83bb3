package io.microrpc.plugin.filter.auth;

import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.ServerRequestContext;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * Finds who is calling, on the server: from the {@code authorization} attachment when the call carries
 * one (an HMAC token or a JWT), else from the mutual-TLS client certificate. A credential that is
 * present and bad is refused even when the connection has a certificate: a caller that sends a wrong
 * token is not quietly let in under another identity. Thread-safe; never blocks.
 */
final class Authenticator {

    /** An identity, or why there is none. */
    record Outcome(String identity, Reason refusal) {
        static Outcome of(String identity) {
            return new Outcome(identity, null);
        }

        static Outcome refused(Reason reason) {
            return new Outcome(null, reason);
        }
    }

    static final String ATTACHMENT = "authorization";
    static final String BEARER = "Bearer ";

    private final AuthSettings settings;
    private final Clock clock;
    private final ReplayCache replays;
    private final long skewMillis;
    /** Verified against for unknown callers, so they take as long as known ones with a wrong key. */
    private final byte[] decoyKey = new byte[32];

    Authenticator(AuthSettings settings, Clock clock, ReplayCache replays) {
        this.settings = settings;
        this.clock = clock;
        this.replays = replays;
        this.skewMillis = settings.clockSkew.toMillis();
        new SecureRandom().nextBytes(decoyKey);
    }

    Outcome authenticate(ServerRequestContext context, Invocation invocation) {
        String credential = invocation.attachment(ATTACHMENT);
        if (credential == null) {
            List<X509Certificate> chain = context.peerCertificates();
            if (chain.isEmpty()) {
                return Outcome.refused(Reason.NO_CREDENTIAL);
            }
            if (!settings.accept.contains(AuthSettings.Mode.MTLS)) {
                return Outcome.refused(Reason.MODE_NOT_ACCEPTED);
            }
            String id = CertificateIdentity.of(chain.get(0), settings.certIdentity);
            return id == null ? Outcome.refused(Reason.CERT_WITHOUT_IDENTITY) : Outcome.of(id);
        }
        if (credential.startsWith(HmacToken.SCHEME)) {
            return settings.accept.contains(AuthSettings.Mode.HMAC)
                    ? hmac(credential, invocation)
                    : Outcome.refused(Reason.MODE_NOT_ACCEPTED);
        }
        if (credential.startsWith(BEARER)) {
            return settings.accept.contains(AuthSettings.Mode.JWT)
                    ? jwt(credential.substring(BEARER.length()).trim())
                    : Outcome.refused(Reason.MODE_NOT_ACCEPTED);
        }
        return Outcome.refused(Reason.MALFORMED);
    }

    private Outcome hmac(String credential, Invocation invocation) {
        HmacToken token = HmacToken.parse(credential);
        if (token == null) {
            return Outcome.refused(Reason.MALFORMED);
        }
        Map<String, byte[]> keys = settings.hmacKeys;
        byte[] key = keys.get(token.caller());
        boolean good = token.verify(key == null ? decoyKey : key, invocation.service(), invocation.methodName());
        if (key == null) {
            return Outcome.refused(Reason.UNKNOWN_CALLER);
        }
        if (!good) {
            return Outcome.refused(Reason.BAD_SIGNATURE);
        }
        long now = clock.millis();
        if (Math.abs(now - token.timestamp() * 1000) > skewMillis) {
            return Outcome.refused(Reason.CLOCK_SKEW);
        }
        // Only after the signature: an attacker without the key cannot fill the cache.
        return switch (replays.record(token.caller(), token.nonce())) {
            case FIRST_SEEN -> Outcome.of(token.caller());
            case REPLAYED -> Outcome.refused(Reason.REPLAYED);
            case FULL -> Outcome.refused(Reason.REPLAY_CACHE_FULL);
        };
    }

    private Outcome jwt(String token) {
        JwtKeys keys = settings.jwtKeys;
        if (keys == null) {
            return Outcome.refused(Reason.JWT_NO_KEY);
        }
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException | RuntimeException e) {
            return Outcome.refused(Reason.MALFORMED);
        }
        List<JWSVerifier> verifiers;
        try {
            verifiers = keys.verifiersFor(jwt.getHeader());
        } catch (Exception e) {
            return Outcome.refused(Reason.JWT_NO_KEY);
        }
        if (verifiers.isEmpty()) {
            return Outcome.refused(Reason.JWT_NO_KEY);
        }
        boolean verified = false;
        for (JWSVerifier v : verifiers) {
            try {
                if (jwt.verify(v)) {
                    verified = true;
                    break;
                }
            } catch (Exception e) {
                // A key that cannot check this token (length, curve): try the next one.
            }
        }
        if (!verified) {
            return Outcome.refused(Reason.JWT_BAD_SIGNATURE);
        }
        long now = clock.millis();
        Instant exp = instant(claims, "exp");
        if (exp == null || now - exp.toEpochMilli() > skewMillis) {
            return Outcome.refused(Reason.JWT_EXPIRED);
        }
        Instant nbf = instant(claims, "nbf");
        if (nbf != null && nbf.toEpochMilli() - now > skewMillis) {
            return Outcome.refused(Reason.JWT_NOT_YET_VALID);
        }
        if (settings.jwtIssuer != null && !settings.jwtIssuer.equals(claims.getIssuer())) {
            return Outcome.refused(Reason.JWT_ISSUER);
        }
        if (settings.jwtAudience != null
                && (claims.getAudience() == null || !claims.getAudience().contains(settings.jwtAudience))) {
            return Outcome.refused(Reason.JWT_AUDIENCE);
        }
        String sub = claims.getSubject();
        return sub == null || sub.isBlank() ? Outcome.refused(Reason.JWT_NO_SUBJECT) : Outcome.of(sub);
    }

    /** A NumericDate claim, which nimbus hands out as a {@link Date}; null when absent. */
    private static Instant instant(JWTClaimsSet claims, String name) {
        Object claim = claims.getClaim(name);
        return claim instanceof Date d ? d.toInstant() : null;
    }
}
