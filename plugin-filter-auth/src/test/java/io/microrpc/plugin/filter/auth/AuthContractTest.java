package io.microrpc.plugin.filter.auth;

import io.microrpc.spi.Filter;
import io.microrpc.spi.Invocation;
import io.microrpc.testkit.FilterContractTest;
import io.microrpc.testkit.TestInvocation;
import io.microrpc.testkit.TestPluginContext;

/**
 * The filter contract on both sides. Every call carries a fresh HMAC token the server side accepts (a
 * token is good once), and the client side, configured with the same caller, attaches a fresh one.
 */
class AuthContractTest extends FilterContractTest {

    private static final byte[] KEY = TestCredentials.newKey();

    @Override
    protected Filter newFilter() {
        return new Auth();
    }

    @Override
    protected TestPluginContext newContext() {
        return TestPluginContext.forExtension(
                "filter",
                "auth",
                "side",
                "both",
                "hmac.key.contract",
                TestCredentials.base64(KEY),
                "client.caller",
                "contract",
                "client.hmac-key",
                TestCredentials.base64(KEY),
                "allow." + TestInvocation.SampleService.class.getName(),
                "contract");
    }

    @Override
    protected Invocation passingCall() {
        return TestInvocation.builder(TestInvocation.SampleService.class, "lookup")
                .args("k")
                .attachment("contract", "kept")
                .attachment(
                        Authenticator.ATTACHMENT,
                        HmacToken.sign(
                                "contract",
                                KEY,
                                TestInvocation.SampleService.class.getName(),
                                "lookup",
                                context.millis() / 1000))
                .build();
    }
}
