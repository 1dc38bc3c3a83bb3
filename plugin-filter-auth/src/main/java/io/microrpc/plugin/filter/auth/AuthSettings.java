package io.microrpc.plugin.filter.auth;

import io.microrpc.spi.PluginConfig;
import io.microrpc.spi.RequestContext;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code filter.auth.*} keys, parsed once. Immutable (the key arrays are never handed out). Every
 * invalid value fails {@link #parse} with the full key and what was expected; a secret's value is never
 * part of the message. docs/CONFIGURATION.md lists the keys.
 */
final class AuthSettings {

    /** The credentials a server accepts. */
    enum Mode {
        MTLS,
        HMAC,
        JWT
    }

    /** Where a client certificate's identity is read from. */
    enum CertIdentity {
        URI_SAN,
        DNS_SAN,
        CN
    }

    /** Caller ids of HMAC tokens: no separators of the token format, no spaces. */
    static final Pattern CALLER_ID = Pattern.compile("[A-Za-z0-9._@-]{1,128}");

    static final String HMAC_KEY = "hmac.key.";
    static final String ALLOW = "allow.";

    private static final Set<String> KEYS = Set.of(
            "side",
            "clock-skew",
            "accept",
            "mtls.identity",
            "hmac.keys-file",
            "replay-cache-size",
            "jwt.secret-file",
            "jwt.public-key-file",
            "jwt.jwks-file",
            "jwt.issuer",
            "jwt.audience",
            "client.caller",
            "client.hmac-key-file",
            "client.hmac-key",
            "client.jwt-file",
            "client.jwt");

    /** Whether calls this kernel serves are authenticated and authorized. */
    final boolean server;
    /** Whether calls this kernel makes carry credentials. */
    final boolean client;

    final Duration clockSkew;
    final Set<Mode> accept;
    final CertIdentity certIdentity;
    /** HMAC keys by caller id. */
    final Map<String, byte[]> hmacKeys;

    final int replayCacheSize;
    /** Keys that verify JWT signatures; null when none are configured. */
    final JwtKeys jwtKeys;
    /** Null = not checked. */
    final String jwtIssuer;
    /** Null = not checked. */
    final String jwtAudience;

    final AllowList allow;

    /** The client's caller id for HMAC tokens; null = it signs none. */
    final String clientCaller;

    final byte[] clientHmacKey;
    /** A JWT given in the configuration; null if none. */
    final String clientJwt;
    /** A file holding the JWT, re-read when it changes; null if none. */
    final Path clientJwtFile;

    private AuthSettings(PluginConfig c) {
        for (Map.Entry<String, String> e : c.asMap().entrySet()) {
            String key = e.getKey();
            if (!KEYS.contains(key) && !key.startsWith(HMAC_KEY) && !key.startsWith(ALLOW)) {
                throw new IllegalArgumentException(c.prefix() + key + ": unknown key (expected: one of "
                        + c.prefix() + "{"
                        + String.join(", ", KEYS.stream().sorted().toList()) + ", "
                        + HMAC_KEY + "<caller>, " + ALLOW + "<service>, " + ALLOW + "<service>/<method>})");
            }
        }
        Set<RequestContext.Side> sides = c.getSides("side", "server");
        server = sides.contains(RequestContext.Side.SERVER);
        client = sides.contains(RequestContext.Side.CLIENT);
        clockSkew = c.getDuration("clock-skew", Duration.ofSeconds(30));
        if (clockSkew.isNegative() || clockSkew.compareTo(Duration.ofHours(1)) > 0) {
            throw c.invalid("clock-skew", clockSkew.toString(), "0s to 1h");
        }
        accept = accept(c);
        String id = c.getString("mtls.identity", "uri-san");
        certIdentity = switch (id.toLowerCase(Locale.ROOT)) {
            case "uri-san" -> CertIdentity.URI_SAN;
            case "dns-san" -> CertIdentity.DNS_SAN;
            case "cn" -> CertIdentity.CN;
            default -> throw c.invalid("mtls.identity", id, "uri-san, dns-san or cn");
        };
        hmacKeys = hmacKeys(c);
        replayCacheSize = c.getInt("replay-cache-size", 200_000);
        if (replayCacheSize < 1 || replayCacheSize > 10_000_000) {
            throw c.invalid("replay-cache-size", String.valueOf(replayCacheSize), "1-10000000");
        }
        jwtKeys = JwtKeys.load(c);
        jwtIssuer = c.get("jwt.issuer").orElse(null);
        jwtAudience = c.get("jwt.audience").orElse(null);
        allow = AllowList.parse(c);

        clientCaller = c.get("client.caller").orElse(null);
        if (clientCaller != null && !CALLER_ID.matcher(clientCaller).matches()) {
            throw c.invalid("client.caller", clientCaller, "1 to 128 of A-Z a-z 0-9 . _ @ -");
        }
        byte[] key = null;
        if (c.get("client.hmac-key-file").isPresent()
                && c.get("client.hmac-key").isPresent()) {
            throw new IllegalArgumentException(c.prefix() + "client.hmac-key-file and " + c.prefix()
                    + "client.hmac-key are both set (expected: one of them, the file preferably)");
        }
        if (c.get("client.hmac-key-file").isPresent()) {
            String file = c.get("client.hmac-key-file").get();
            key = Secrets.hmacKey(c, "client.hmac-key-file", file, Secrets.readText(c, "client.hmac-key-file", file));
        } else if (c.get("client.hmac-key").isPresent()) {
            key = Secrets.hmacKey(
                    c, "client.hmac-key", "(hidden)", c.get("client.hmac-key").get());
        }
        clientHmacKey = key;
        if ((clientCaller == null) != (key == null)) {
            throw new IllegalArgumentException(c.prefix() + "client.caller and " + c.prefix()
                    + "client.hmac-key-file (or client.hmac-key): only one is set (expected: both, to sign"
                    + " HMAC tokens, or neither)");
        }
        clientJwt = c.get("client.jwt").orElse(null);
        String jwtFile = c.get("client.jwt-file").orElse(null);
        if (clientJwt != null && jwtFile != null) {
            throw new IllegalArgumentException(c.prefix() + "client.jwt-file and " + c.prefix()
                    + "client.jwt are both set (expected: one of them, the file preferably)");
        }
        clientJwtFile = jwtFile == null ? null : Secrets.ownerOnlyFile(c, "client.jwt-file", jwtFile);
        if (clientCaller != null && (clientJwt != null || clientJwtFile != null)) {
            throw new IllegalArgumentException(c.prefix() + "client.caller and " + c.prefix()
                    + "client.jwt-file (or client.jwt) are both set (expected: one credential per client:"
                    + " an HMAC caller and key, or a JWT)");
        }
    }

    static AuthSettings parse(PluginConfig config) {
        return new AuthSettings(config);
    }

    private static Set<Mode> accept(PluginConfig c) {
        String value = c.getString("accept", "mtls,hmac,jwt");
        Set<Mode> modes = EnumSet.noneOf(Mode.class);
        for (String m : value.split(",", -1)) {
            switch (m.trim().toLowerCase(Locale.ROOT)) {
                case "mtls" -> modes.add(Mode.MTLS);
                case "hmac" -> modes.add(Mode.HMAC);
                case "jwt" -> modes.add(Mode.JWT);
                default -> throw c.invalid("accept", value, "a comma-separated list of mtls, hmac, jwt");
            }
        }
        return Set.copyOf(modes);
    }

    private static Map<String, byte[]> hmacKeys(PluginConfig c) {
        Map<String, byte[]> keys = new LinkedHashMap<>();
        String file = c.get("hmac.keys-file").orElse(null);
        if (file != null) {
            Properties p = new Properties();
            String text = Secrets.readText(c, "hmac.keys-file", file);
            try {
                p.load(new StringReader(text));
            } catch (IOException | IllegalArgumentException e) {
                throw c.invalid("hmac.keys-file", file, "a properties file of lines <caller>=<base64 key>");
            }
            for (String caller : p.stringPropertyNames()) {
                checkCaller(c, "hmac.keys-file", file, caller);
                keys.put(
                        caller,
                        Secrets.hmacKey(c, "hmac.keys-file", file + ", caller " + caller, p.getProperty(caller)));
            }
        }
        for (Map.Entry<String, String> e : c.asMap().entrySet()) {
            if (e.getKey().startsWith(HMAC_KEY)) {
                String caller = e.getKey().substring(HMAC_KEY.length());
                checkCaller(c, e.getKey(), "(hidden)", caller);
                if (keys.containsKey(caller)) {
                    throw c.invalid(
                            e.getKey(), "(hidden)", "one key per caller; " + caller + " is in hmac.keys-file too");
                }
                keys.put(caller, Secrets.hmacKey(c, e.getKey(), "(hidden)", e.getValue()));
            }
        }
        return Map.copyOf(keys);
    }

    private static void checkCaller(PluginConfig c, String key, String value, String caller) {
        if (!CALLER_ID.matcher(caller).matches()) {
            throw c.invalid(key, value, "caller ids of 1 to 128 of A-Z a-z 0-9 . _ @ - (found '" + caller + "')");
        }
    }
}
