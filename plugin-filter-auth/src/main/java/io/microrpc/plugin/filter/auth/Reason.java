package io.microrpc.plugin.filter.auth;

import io.microrpc.spi.Status;

/**
 * Why a call was turned away, for the server's log and counters only: the caller is told the status
 * and no more than it knows already (that it sent no credential, or which identity it presented), so
 * a wrong key, an unknown caller and an expired token look the same from outside.
 */
enum Reason {
    NO_CREDENTIAL(Status.Code.UNAUTHENTICATED, "no credential"),
    MODE_NOT_ACCEPTED(Status.Code.UNAUTHENTICATED, "a kind of credential filter.auth.accept does not list"),
    MALFORMED(Status.Code.UNAUTHENTICATED, "a malformed credential"),
    CERT_WITHOUT_IDENTITY(
            Status.Code.UNAUTHENTICATED, "a client certificate without the identity filter.auth.mtls.identity names"),
    UNKNOWN_CALLER(Status.Code.UNAUTHENTICATED, "an HMAC token of a caller without a key"),
    BAD_SIGNATURE(
            Status.Code.UNAUTHENTICATED,
            "an HMAC token whose signature does not match (wrong key, or signed for another service or method)"),
    CLOCK_SKEW(
            Status.Code.UNAUTHENTICATED,
            "an HMAC token whose timestamp is further from this server's clock than filter.auth.clock-skew"),
    REPLAYED(Status.Code.UNAUTHENTICATED, "an HMAC token already used (a replayed nonce)"),
    JWT_NO_KEY(Status.Code.UNAUTHENTICATED, "a JWT no configured key can verify (its alg or kid)"),
    JWT_BAD_SIGNATURE(Status.Code.UNAUTHENTICATED, "a JWT whose signature does not verify"),
    JWT_EXPIRED(Status.Code.UNAUTHENTICATED, "an expired JWT, or one without exp"),
    JWT_NOT_YET_VALID(Status.Code.UNAUTHENTICATED, "a JWT not valid yet (nbf)"),
    JWT_ISSUER(Status.Code.UNAUTHENTICATED, "a JWT of another issuer than filter.auth.jwt.issuer"),
    JWT_AUDIENCE(Status.Code.UNAUTHENTICATED, "a JWT for another audience than filter.auth.jwt.audience"),
    JWT_NO_SUBJECT(Status.Code.UNAUTHENTICATED, "a JWT without sub"),
    REPLAY_CACHE_FULL(
            Status.Code.RESOURCE_EXHAUSTED,
            "a valid HMAC token while the replay cache was full (filter.auth.replay-cache-size)"),
    DENIED(Status.Code.PERMISSION_DENIED, "an identity the allow-list does not admit for this method");

    final Status.Code code;
    final String text;

    Reason(Status.Code code, String text) {
        this.code = code;
        this.text = text;
    }
}
