package io.microrpc.plugin.filter.auth;

import io.microrpc.spi.Invocation;
import io.microrpc.spi.PluginContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the client attaches to each attempt: a fresh HMAC token (a retry must not reuse a nonce the
 * server has seen), a JWT, or nothing (mutual TLS identifies the caller, or no credential is set).
 * A JWT file is checked once a second, off the call path, and read again when it changed. Thread-safe.
 */
abstract class ClientCredentials {

    private static final Logger log = LoggerFactory.getLogger(ClientCredentials.class);

    /** The {@code authorization} value for one attempt of {@code invocation}; null = attach nothing. */
    abstract String credentialFor(Invocation invocation);

    void stop() {}

    static ClientCredentials create(AuthSettings s, PluginContext context) {
        if (s.clientCaller != null) {
            return new Hmac(s.clientCaller, s.clientHmacKey, context.clock());
        }
        if (s.clientJwt != null) {
            String value = Authenticator.BEARER + s.clientJwt;
            return new ClientCredentials() {
                @Override
                String credentialFor(Invocation invocation) {
                    return value;
                }
            };
        }
        if (s.clientJwtFile != null) {
            JwtFile f = new JwtFile(s.clientJwtFile);
            f.check();
            f.watch(context);
            return f;
        }
        return new ClientCredentials() {
            @Override
            String credentialFor(Invocation invocation) {
                return null;
            }
        };
    }

    static final class Hmac extends ClientCredentials {
        private final String caller;
        private final byte[] key;
        private final Clock clock;

        Hmac(String caller, byte[] key, Clock clock) {
            this.caller = caller;
            this.key = key;
            this.clock = clock;
        }

        @Override
        String credentialFor(Invocation invocation) {
            return HmacToken.sign(caller, key, invocation.service(), invocation.methodName(), clock.millis() / 1000);
        }
    }

    /** A JWT in a file, which whoever renews the token rewrites. */
    static final class JwtFile extends ClientCredentials {
        private final Path file;
        private volatile String value;
        private volatile FileTime modified;
        private volatile ScheduledFuture<?> watch;

        JwtFile(Path file) {
            this.file = file;
        }

        @Override
        String credentialFor(Invocation invocation) {
            return value;
        }

        void watch(PluginContext context) {
            watch = context.scheduler()
                    .scheduleWithFixedDelay(
                            () -> context.blockingExecutor().execute(this::check), 1, 1, TimeUnit.SECONDS);
        }

        /** Reads the file again if its modification time changed. Blocks on the file system. */
        void check() {
            try {
                FileTime t = Files.getLastModifiedTime(file);
                if (t.equals(modified)) {
                    return;
                }
                String jwt = Files.readString(file).trim();
                if (jwt.isEmpty()) {
                    log.warn("auth: {} is empty; calls go out without a JWT until it holds one", file);
                    value = null;
                } else {
                    value = Authenticator.BEARER + jwt;
                }
                modified = t;
            } catch (IOException e) {
                // Keep the token read last: the file may be in the middle of a rename.
                log.warn("auth: cannot read the JWT file {}; keeping the token read before", file, e);
            }
        }

        @Override
        void stop() {
            ScheduledFuture<?> w = watch;
            if (w != null) {
                w.cancel(false);
            }
        }
    }
}
