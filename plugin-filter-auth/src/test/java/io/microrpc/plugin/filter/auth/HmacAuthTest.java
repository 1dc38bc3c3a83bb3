package io.microrpc.plugin.filter.auth;

import static io.microrpc.plugin.filter.auth.AuthTestSupport.SERVICE;
import static io.microrpc.plugin.filter.auth.AuthTestSupport.assertRan;
import static io.microrpc.plugin.filter.auth.AuthTestSupport.call;
import static io.microrpc.plugin.filter.auth.AuthTestSupport.hmac;
import static io.microrpc.plugin.filter.auth.AuthTestSupport.refusal;
import static io.microrpc.plugin.filter.auth.AuthTestSupport.serve;
import static io.microrpc.plugin.filter.auth.AuthTestSupport.started;
import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.spi.RpcException;
import io.microrpc.spi.Status;
import io.microrpc.testkit.TestPluginContext;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HMAC tokens on the server: who signed, for which method, when, and only once. */
class HmacAuthTest {

    @TempDir
    Path dir;

    private final byte[] aliceKey = TestCredentials.newKey();
    private final byte[] bobKey = TestCredentials.newKey();
    private TestPluginContext context;
    private Auth auth;

    @BeforeEach
    void start() {
        String keys = TestCredentials.ownerOnly(
                dir.resolve("hmac-keys.properties"),
                "# caller=base64 key\nalice=" + TestCredentials.base64(aliceKey) + "\n");
        context = TestPluginContext.forExtension(
                "filter",
                "auth",
                "hmac.keys-file",
                keys,
                "hmac.key.bob",
                TestCredentials.base64(bobKey),
                "allow." + SERVICE,
                "alice,bob");
        auth = started(context);
    }

    private long now() {
        return context.millis() / 1000;
    }

    @Test
    void aValidTokenFromTheKeysFileOrTheConfigurationPasses() {
        assertRan(serve(auth, call("lookup", hmac("alice", aliceKey, "lookup", now()))));
        assertRan(serve(auth, call("ping", hmac("bob", bobKey, "ping", now()))));
    }

    @Test
    void aCallWithoutCredentialIsUnauthenticatedAndToldWhatIsMissing() {
        RpcException e = refusal(serve(auth, call("lookup", null)));
        assertThat(e.code()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(e.status().description()).contains("no 'authorization' attachment");
    }

    @Test
    void aWrongKeyAndAnUnknownCallerLookTheSameAndRevealNothing() {
        String wrongKey = hmac("alice", bobKey, "lookup", now());
        String unknown = hmac("mallory", aliceKey, "lookup", now());
        RpcException a = refusal(serve(auth, call("lookup", wrongKey)));
        RpcException b = refusal(serve(auth, call("lookup", unknown)));
        assertThat(a.code()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(b.code()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(a.status().description())
                .isEqualTo(b.status().description())
                .isEqualTo(Auth.UNAUTHENTICATED)
                .doesNotContain("alice", "signature", TestCredentials.base64(aliceKey));
    }

    @Test
    void aReplayedTokenIsRefused() {
        String token = hmac("alice", aliceKey, "lookup", now());
        assertRan(serve(auth, call("lookup", token)));
        RpcException e = refusal(serve(auth, call("lookup", token)));
        assertThat(e.code()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(e.status().description()).isEqualTo(Auth.UNAUTHENTICATED);
        // A fresh token of the same caller still passes.
        assertRan(serve(auth, call("lookup", hmac("alice", aliceKey, "lookup", now()))));
    }

    @Test
    void aTokenSignedForAnotherMethodOrServiceIsRefused() {
        String forPing = hmac("alice", aliceKey, "ping", now());
        assertThat(refusal(serve(auth, call("lookup", forPing))).code()).isEqualTo(Status.Code.UNAUTHENTICATED);
        String forOther = HmacToken.sign("alice", aliceKey, "com.acme.Other", "lookup", now());
        assertThat(refusal(serve(auth, call("lookup", forOther))).code()).isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void aTimestampWithinTheClockSkewPassesAndOneBeyondItIsRefused() {
        // Default skew: 30 s, either way.
        assertRan(serve(auth, call("lookup", hmac("alice", aliceKey, "lookup", now() - 29))));
        assertRan(serve(auth, call("lookup", hmac("alice", aliceKey, "lookup", now() + 29))));
        assertThat(refusal(serve(auth, call("lookup", hmac("alice", aliceKey, "lookup", now() - 31))))
                        .code())
                .isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(refusal(serve(auth, call("lookup", hmac("alice", aliceKey, "lookup", now() + 31))))
                        .code())
                .isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void aTokenSignedBeforeTheServersClockMovedPastTheSkewIsRefused() {
        String token = hmac("alice", aliceKey, "lookup", now());
        context.advance(Duration.ofSeconds(31));
        assertThat(refusal(serve(auth, call("lookup", token))).code()).isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void theClockSkewIsConfigurable() {
        TestPluginContext tight = TestPluginContext.forExtension(
                "filter",
                "auth",
                "hmac.key.alice",
                TestCredentials.base64(aliceKey),
                "allow." + SERVICE,
                "*",
                "clock-skew",
                "5s");
        Auth a = started(tight);
        long now = tight.millis() / 1000;
        assertRan(serve(a, call("ping", hmac("alice", aliceKey, "ping", now - 5))));
        assertThat(refusal(serve(a, call("ping", hmac("alice", aliceKey, "ping", now - 6))))
                        .code())
                .isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void malformedTokensAreUnauthenticated() {
        for (String bad : new String[] {
            "HMAC-SHA256 caller=alice", "HMAC-SHA256 caller=alice,ts=1,nonce=short,sig=x", "Basic YWxpY2U6cHc=", ""
        }) {
            RpcException e = refusal(serve(auth, call("lookup", bad)));
            assertThat(e.code()).as(bad).isEqualTo(Status.Code.UNAUTHENTICATED);
        }
    }

    @Test
    void hmacIsRefusedWhenAcceptDoesNotListIt() {
        Auth jwtOnly = started(TestPluginContext.forExtension(
                "filter",
                "auth",
                "accept",
                "jwt",
                "hmac.key.alice",
                TestCredentials.base64(aliceKey),
                "allow." + SERVICE,
                "*"));
        assertThat(refusal(serve(jwtOnly, call("ping", hmac("alice", aliceKey, "ping", now()))))
                        .code())
                .isEqualTo(Status.Code.UNAUTHENTICATED);
    }
}
