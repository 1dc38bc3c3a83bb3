package io.microrpc.plugin.filter.auth;

import static io.microrpc.plugin.filter.auth.AuthTestSupport.SERVICE;
import static io.microrpc.plugin.filter.auth.AuthTestSupport.assertRan;
import static io.microrpc.plugin.filter.auth.AuthTestSupport.call;
import static io.microrpc.plugin.filter.auth.AuthTestSupport.refusal;
import static io.microrpc.plugin.filter.auth.AuthTestSupport.serve;
import static io.microrpc.plugin.filter.auth.AuthTestSupport.started;
import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.spi.Invocation;
import io.microrpc.spi.RpcException;
import io.microrpc.spi.Status;
import io.microrpc.testkit.TestPluginContext;
import io.microrpc.testkit.TestServerContext;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The identity of a mutual-TLS caller, from its certificate as the kernel hands it over. */
class MtlsAuthTest {

    private static final String SPIFFE = "spiffe://example.org/ns/prod/sa/billing";
    private static final X509Certificate BILLING =
            TestCredentials.certificate("CN=billing-cn,O=Acme", SPIFFE, "billing.acme.internal");
    private static final X509Certificate CN_ONLY = TestCredentials.certificate("CN=reports,OU=Ops,O=Acme", null, null);

    private static CompletableFuture<Object> serveWith(Auth auth, X509Certificate leaf) {
        Invocation call = call("ping", null);
        return serve(auth, TestServerContext.of(call).withPeerCertificates(List.of(leaf)), call);
    }

    private static Auth auth(String... keys) {
        return started(TestPluginContext.forExtension("filter", "auth", keys));
    }

    @Test
    void byDefaultTheIdentityIsTheUriSan() {
        assertRan(serveWith(auth("allow." + SERVICE, SPIFFE), BILLING));
        RpcException e = refusal(serveWith(auth("allow." + SERVICE, "billing-cn"), BILLING));
        assertThat(e.code()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(e.status().description()).contains(SPIFFE);
    }

    @Test
    void theIdentityMayBeTheDnsSanOrTheCommonName() {
        assertRan(serveWith(auth("mtls.identity", "dns-san", "allow." + SERVICE, "billing.acme.internal"), BILLING));
        assertRan(serveWith(auth("mtls.identity", "cn", "allow." + SERVICE, "billing-cn"), BILLING));
        assertRan(serveWith(auth("mtls.identity", "cn", "allow." + SERVICE, "reports"), CN_ONLY));
    }

    @Test
    void aCertificateWithoutTheConfiguredNameIsUnauthenticated() {
        assertThat(refusal(serveWith(auth("allow." + SERVICE, "*"), CN_ONLY)).code())
                .isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void aCertificateIsNotEnoughWhenAcceptLeavesMtlsOut() {
        assertThat(refusal(serveWith(auth("accept", "hmac,jwt", "allow." + SERVICE, "*"), BILLING))
                        .code())
                .isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void aBadTokenIsRefusedEvenOnAConnectionWithAGoodCertificate() {
        Auth a = auth("allow." + SERVICE, "*");
        Invocation call = call("ping", "HMAC-SHA256 caller=x");
        assertThat(refusal(serve(a, TestServerContext.of(call).withPeerCertificates(List.of(BILLING)), call))
                        .code())
                .isEqualTo(Status.Code.UNAUTHENTICATED);
    }
}
