package io.microrpc.plugin.filter.auth;

import static io.microrpc.plugin.filter.auth.AuthTestSupport.SERVICE;
import static io.microrpc.plugin.filter.auth.AuthTestSupport.assertRan;
import static io.microrpc.plugin.filter.auth.AuthTestSupport.call;
import static io.microrpc.plugin.filter.auth.AuthTestSupport.serve;
import static io.microrpc.plugin.filter.auth.AuthTestSupport.started;
import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.spi.Invocation;
import io.microrpc.testkit.TestClientContext;
import io.microrpc.testkit.TestEndpoint;
import io.microrpc.testkit.TestPluginContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client side: a credential on each attempt, a fresh HMAC nonce for each. */
class ClientSideTest {

    @TempDir
    Path dir;

    private final byte[] key = TestCredentials.newKey();

    /** What the next step of attempt {@code n} received. */
    private static Invocation attempt(Auth auth, Invocation call, int n) {
        AtomicReference<Invocation> sent = new AtomicReference<>();
        auth.invokeAttempt(TestClientContext.of(call).attempt(n, TestEndpoint.of("10.0.0.1:7420"), null), call, inv -> {
            sent.set(inv);
            return CompletableFuture.completedFuture("ok");
        });
        return sent.get();
    }

    @Test
    void eachAttemptCarriesAFreshTokenTheServerAccepts() {
        TestPluginContext clientContext = TestPluginContext.forExtension(
                "filter",
                "auth",
                "side",
                "client",
                "client.caller",
                "alice",
                "client.hmac-key-file",
                TestCredentials.ownerOnly(dir.resolve("alice.key"), TestCredentials.base64(key) + "\n"));
        Auth client = started(clientContext);
        Auth server = started(TestPluginContext.forExtension(
                "filter", "auth", "hmac.key.alice", TestCredentials.base64(key), "allow." + SERVICE, "alice"));

        Invocation call = call("lookup", null).withAttachment("trace", "t1");
        Invocation first = attempt(client, call, 1);
        Invocation retry = attempt(client, call, 2);
        String a = first.attachment(Authenticator.ATTACHMENT);
        String b = retry.attachment(Authenticator.ATTACHMENT);
        assertThat(a).startsWith("HMAC-SHA256 caller=alice,ts=" + clientContext.millis() / 1000 + ",nonce=");
        assertThat(b).isNotEqualTo(a);
        assertThat(retry.attachment("trace")).isEqualTo("t1");
        assertRan(serve(server, first));
        assertRan(serve(server, retry));
        assertThat(serve(server, first))
                .as("the first attempt's token, replayed")
                .isCompletedExceptionally();
    }

    @Test
    void theCallStageAttachesNothing() {
        Auth client = started(TestPluginContext.forExtension(
                "filter",
                "auth",
                "side",
                "client",
                "client.caller",
                "alice",
                "client.hmac-key",
                TestCredentials.base64(key)));
        Invocation call = call("ping", null);
        AtomicReference<Invocation> sent = new AtomicReference<>();
        client.invoke(TestClientContext.of(call), call, inv -> {
            sent.set(inv);
            return CompletableFuture.completedFuture("ok");
        });
        assertThat(sent.get().attachment(Authenticator.ATTACHMENT)).isNull();
    }

    @Test
    void withoutACredentialOrOnTheServerSideOnlyNothingIsAttached() {
        Auth mtls = started(TestPluginContext.forExtension("filter", "auth", "side", "client"));
        assertThat(attempt(mtls, call("ping", null), 1).attachment(Authenticator.ATTACHMENT))
                .isNull();
        Auth serverOnly = started(TestPluginContext.forExtension(
                "filter", "auth", "client.caller", "alice", "client.hmac-key", TestCredentials.base64(key)));
        assertThat(attempt(serverOnly, call("ping", null), 1).attachment(Authenticator.ATTACHMENT))
                .isNull();
    }

    @Test
    void aJwtFromTheConfigurationIsSentAsABearerToken() {
        Auth client = started(
                TestPluginContext.forExtension("filter", "auth", "side", "client", "client.jwt", "aaa.bbb.ccc"));
        assertThat(attempt(client, call("ping", null), 1).attachment(Authenticator.ATTACHMENT))
                .isEqualTo("Bearer aaa.bbb.ccc");
    }

    @Test
    void aJwtFileIsReadAgainWhenItChanges() throws Exception {
        Path file = dir.resolve("token.jwt");
        TestCredentials.ownerOnly(file, "first.jwt.value\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2026-01-01T00:00:00Z")));
        ClientCredentials.JwtFile jwt = new ClientCredentials.JwtFile(file);
        jwt.check();
        Invocation call = call("ping", null);
        assertThat(jwt.credentialFor(call)).isEqualTo("Bearer first.jwt.value");

        Files.writeString(file, "second.jwt.value\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2026-01-01T00:05:00Z")));
        jwt.check();
        assertThat(jwt.credentialFor(call)).isEqualTo("Bearer second.jwt.value");

        Files.delete(file);
        jwt.check();
        assertThat(jwt.credentialFor(call))
                .as("a file gone for a moment keeps the last token")
                .isEqualTo("Bearer second.jwt.value");
    }
}
