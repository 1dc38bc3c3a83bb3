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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Allow-lists per service and per method, {@code *}, and deny by default. */
class AuthorizationTest {

    private final byte[] aliceKey = TestCredentials.newKey();
    private final byte[] bobKey = TestCredentials.newKey();
    private TestPluginContext context;

    private Auth auth(String... allow) {
        List<String> keys = new ArrayList<>(List.of(
                "hmac.key.alice", TestCredentials.base64(aliceKey), "hmac.key.bob", TestCredentials.base64(bobKey)));
        keys.addAll(List.of(allow));
        context = TestPluginContext.forExtension("filter", "auth", keys.toArray(new String[0]));
        return started(context);
    }

    private CompletableFuture<Object> as(Auth auth, String caller, String method) {
        byte[] key = caller.equals("alice") ? aliceKey : bobKey;
        return serve(auth, call(method, hmac(caller, key, method, context.millis() / 1000)));
    }

    @Test
    void aMethodsRuleReplacesItsServicesRuleForThatMethod() {
        Auth auth = auth("allow." + SERVICE, "alice", "allow." + SERVICE + "/lookup", "bob");
        assertRan(as(auth, "alice", "ping"));
        assertRan(as(auth, "bob", "lookup"));
        RpcException e = refusal(as(auth, "alice", "lookup"));
        assertThat(e.code()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(e.status().description())
                .isEqualTo("permission denied: alice may not call " + SERVICE + "/lookup (filter auth)");
        assertThat(refusal(as(auth, "bob", "ping")).code()).isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    @Test
    void aMethodRuleAloneAdmitsThatMethodOnly() {
        Auth auth = auth("allow." + SERVICE + "/ping", "alice");
        assertRan(as(auth, "alice", "ping"));
        assertThat(refusal(as(auth, "alice", "lookup")).code()).isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    @Test
    void aStarAdmitsAnyAuthenticatedCaller() {
        Auth auth = auth("allow." + SERVICE, "*");
        assertRan(as(auth, "alice", "ping"));
        assertRan(as(auth, "bob", "lookup"));
        assertThat(refusal(serve(auth, call("ping", null))).code())
                .as("but not an anonymous one")
                .isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void aServiceWithoutRulesIsDeniedToEveryone() {
        Auth auth = auth("allow.com.acme.Other", "*");
        assertThat(refusal(as(auth, "alice", "ping")).code()).isEqualTo(Status.Code.PERMISSION_DENIED);
        Auth none = auth();
        assertThat(refusal(as(none, "alice", "ping")).code()).isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    @Test
    void refusalsAreCountedByReason() {
        Auth auth = auth("allow." + SERVICE, "alice");
        refusal(as(auth, "bob", "ping"));
        refusal(as(auth, "bob", "ping"));
        refusal(serve(auth, call("ping", null)));
        assertThat(refusalsOf(auth)).containsEntry(Reason.DENIED, 2L).containsEntry(Reason.NO_CREDENTIAL, 1L);
    }

    static Map<Reason, Long> refusalsOf(Auth auth) {
        return auth.refusalCounts();
    }
}
