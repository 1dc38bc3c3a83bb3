package io.microrpc.plugin.filter.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.microrpc.testkit.TestPluginContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad configurations fail the start, naming the key, never printing a secret. */
class AuthSettingsTest {

    @TempDir
    Path dir;

    private static Throwable startWith(String... keys) {
        return catchThrowable(() -> new Auth().start(TestPluginContext.forExtension("filter", "auth", keys)));
    }

    @Test
    void aKeysFileOthersMayReadIsRefused() throws Exception {
        Path file = dir.resolve("keys.properties");
        Files.writeString(file, "alice=" + TestCredentials.base64(TestCredentials.newKey()));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(startWith("hmac.keys-file", file.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("filter.auth.hmac.keys-file: '" + file + "' (expected: a file only its owner may access,"
                        + " it holds a secret: chmod 600 " + file + ")");
    }

    @Test
    void aShortOrMalformedKeyIsRefusedWithoutShowingIt() {
        String shortKey = Base64.getEncoder().encodeToString("sixteen-byte-key".getBytes(StandardCharsets.US_ASCII));
        Throwable t = startWith("hmac.key.alice", shortKey);
        assertThat(t)
                .hasMessageStartingWith("filter.auth.hmac.key.alice: '(hidden)' (expected: a key of at least 32 bytes")
                .hasMessageNotContaining(shortKey);
        assertThat(startWith("client.caller", "alice", "client.hmac-key", "not base64!"))
                .hasMessageStartingWith("filter.auth.client.hmac-key: '(hidden)' (expected: a base64 key")
                .hasMessageNotContaining("not base64!");
    }

    @Test
    void unknownKeysAndBadValuesAreRefused() {
        assertThat(startWith("alow.com.acme.Svc", "*"))
                .hasMessageStartingWith("filter.auth.alow.com.acme.Svc: unknown key (expected: one of filter.auth.{");
        assertThat(startWith("side", "middle"))
                .hasMessage("filter.auth.side: 'middle' (expected: server, client or both)");
        assertThat(startWith("accept", "mtls,kerberos"))
                .hasMessage(
                        "filter.auth.accept: 'mtls,kerberos' (expected: a comma-separated list of mtls, hmac, jwt)");
        assertThat(startWith("mtls.identity", "email"))
                .hasMessage("filter.auth.mtls.identity: 'email' (expected: uri-san, dns-san or cn)");
        assertThat(startWith("allow.com.acme.Svc/", "*")).hasMessageContaining("allow.<service>/<method>");
        assertThat(startWith("allow.com.acme.Svc", " , ")).hasMessageContaining("to deny everyone, remove the key");
    }

    @Test
    void aClientNeedsBothCallerAndKeyAndOneCredentialOnly() {
        assertThat(startWith("client.caller", "alice")).hasMessageContaining("only one is set");
        String key = TestCredentials.base64(TestCredentials.newKey());
        assertThat(startWith("client.caller", "alice", "client.hmac-key", key, "client.jwt", "a.b.c"))
                .hasMessageContaining("one credential per client");
        assertThatThrownBy(() -> new Auth()
                        .start(TestPluginContext.forExtension(
                                "filter", "auth", "client.caller", "al ice", "client.hmac-key", key)))
                .hasMessageStartingWith("filter.auth.client.caller: 'al ice'");
    }
}
