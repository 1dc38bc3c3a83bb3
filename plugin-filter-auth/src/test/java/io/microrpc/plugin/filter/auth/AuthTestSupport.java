package io.microrpc.plugin.filter.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.spi.Invocation;
import io.microrpc.spi.RpcException;
import io.microrpc.spi.ServerRequestContext;
import io.microrpc.testkit.TestInvocation;
import io.microrpc.testkit.TestPluginContext;
import io.microrpc.testkit.TestServerContext;
import java.util.concurrent.CompletableFuture;

/** Calls through a started filter's server side, and what came out. */
final class AuthTestSupport {

    static final String SERVICE = TestInvocation.SampleService.class.getName();

    private AuthTestSupport() {}

    static Auth started(TestPluginContext context) {
        Auth auth = new Auth();
        auth.start(context);
        return auth;
    }

    /** A call of {@code method} (lookup or ping) carrying {@code credential} (none if null). */
    static Invocation call(String method, String credential) {
        TestInvocation.Builder b = TestInvocation.builder(TestInvocation.SampleService.class, method);
        if (method.equals("lookup")) {
            b.args("k");
        }
        if (credential != null) {
            b.attachment(Authenticator.ATTACHMENT, credential);
        }
        return b.build();
    }

    /** An HMAC token as a client would sign it for {@code method} of the sample service at {@code epochSeconds}. */
    static String hmac(String caller, byte[] key, String method, long epochSeconds) {
        return HmacToken.sign(caller, key, SERVICE, method, epochSeconds);
    }

    static CompletableFuture<Object> serve(Auth auth, Invocation call) {
        return serve(auth, TestServerContext.of(call), call);
    }

    static CompletableFuture<Object> serve(Auth auth, ServerRequestContext context, Invocation call) {
        return auth.invoke(context, call, inv -> CompletableFuture.completedFuture("ran"));
    }

    /** Asserts the call ran. */
    static void assertRan(CompletableFuture<Object> result) {
        assertThat(result).isCompletedWithValue("ran");
    }

    /** The failure of a refused call. */
    static RpcException refusal(CompletableFuture<Object> result) {
        assertThat(result).isCompletedExceptionally();
        RpcException e = RpcException.find(result.handle((v, t) -> t).join());
        assertThat(e).isNotNull();
        assertThat(e.progress()).as("a refused call did not run").isEqualTo(RpcException.Progress.REFUSED);
        return e;
    }
}
