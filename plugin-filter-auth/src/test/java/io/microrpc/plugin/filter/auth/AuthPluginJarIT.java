package io.microrpc.plugin.filter.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.ReferenceOptions;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.testing.EchoApi;
import io.microrpc.kernel.testing.EchoImpl;
import io.microrpc.kernel.testing.JavaTestSerializer;
import io.microrpc.kernel.testing.PackagedPlugin;
import io.microrpc.kernel.tls.DevCertificates.Authority;
import io.microrpc.kernel.tls.DevCertificates.Issued;
import io.microrpc.kernel.tls.DevCertificates.Subject;
import io.microrpc.spi.RpcException;
import io.microrpc.spi.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged plugin JAR in a provider's and in its callers' plugins folders, loaded by the real
 * plugin manager: the callers sign each attempt, the provider authenticates and authorizes it.
 */
class AuthPluginJarIT {

    private static final String ECHO = EchoApi.class.getName();

    @TempDir
    Path dir;

    private MicroRpc caller(Path plugins, String name, String keyFile) {
        return MicroRpc.builder()
                .settings(KernelSettings.builder()
                        .callSerializer("java-test")
                        .pluginsDir(plugins)
                        .pluginsWatch(false)
                        .dataDir(dir.resolve(name))
                        .extensionKey("filter.auth.side", "client")
                        .extensionKey("filter.auth.client.caller", name.replaceAll("-.*", ""))
                        .extensionKey("filter.auth.client.hmac-key-file", keyFile)
                        .build())
                .extension(new JavaTestSerializer())
                .start();
    }

    private static EchoApi echo(MicroRpc client, MicroRpc provider) {
        return client.reference(
                EchoApi.class,
                ReferenceOptions.builder()
                        .address("127.0.0.1:" + provider.port())
                        .build());
    }

    @Test
    void anAllowedCallerIsServedAWrongKeyIsUnauthenticatedAnUnlistedCallerDenied() throws Exception {
        Path plugins = PackagedPlugin.copyInto(dir.resolve("plugins"), "filter-auth.jar");
        byte[] aliceKey = TestCredentials.newKey();
        byte[] bobKey = TestCredentials.newKey();
        String serverKeys = TestCredentials.ownerOnly(
                dir.resolve("hmac-keys.properties"),
                "alice=" + TestCredentials.base64(aliceKey) + "\nbob=" + TestCredentials.base64(bobKey) + "\n");
        String aliceFile = TestCredentials.ownerOnly(dir.resolve("alice.key"), TestCredentials.base64(aliceKey));
        String wrongFile =
                TestCredentials.ownerOnly(dir.resolve("wrong.key"), TestCredentials.base64(TestCredentials.newKey()));
        String bobFile = TestCredentials.ownerOnly(dir.resolve("bob.key"), TestCredentials.base64(bobKey));

        KernelSettings providerSettings = KernelSettings.builder()
                .serverHost("127.0.0.1")
                .serverPort(0)
                .callSerializer("java-test")
                .pluginsDir(plugins)
                .pluginsWatch(false)
                .dataDir(dir.resolve("p"))
                .extensionKey("filter.auth.hmac.keys-file", serverKeys)
                .extensionKey("filter.auth.allow." + ECHO, "alice")
                .build();
        try (MicroRpc provider = MicroRpc.builder()
                        .settings(providerSettings)
                        .extension(new JavaTestSerializer())
                        .start();
                MicroRpc alice = caller(plugins, "alice", aliceFile);
                MicroRpc impostor = caller(plugins, "alice-wrong-key", wrongFile);
                MicroRpc bob = caller(plugins, "bob", bobFile)) {
            assertThat(provider.admin().activeExtensions().get("filters")).contains("auth");
            assertThat(alice.admin().activeExtensions().get("filters")).contains("auth");
            provider.export(EchoApi.class, new EchoImpl());
            EchoApi asAlice = echo(alice, provider);
            EchoApi asImpostor = echo(impostor, provider);
            EchoApi asBob = echo(bob, provider);

            for (int i = 0; i < 20; i++) {
                assertThat(asAlice.echo("hi " + i)).isEqualTo("hi " + i);
            }
            assertThat(catchThrowable(() -> asImpostor.echo("let me in")))
                    .isInstanceOfSatisfying(RpcException.class, e -> {
                        assertThat(e.code()).isEqualTo(Status.Code.UNAUTHENTICATED);
                        assertThat(e.getMessage()).contains(Auth.UNAUTHENTICATED);
                    });
            assertThat(catchThrowable(() -> asBob.echo("may I"))).isInstanceOfSatisfying(RpcException.class, e -> {
                assertThat(e.code()).isEqualTo(Status.Code.PERMISSION_DENIED);
                assertThat(e.getMessage()).contains("bob may not call " + ECHO + "/echo");
            });
            assertThat(asAlice.add(20, 22)).as("the provider keeps serving").isEqualTo(42);

            // The allow-list is live: the filter restarts with it, and bob is served.
            provider.reconfigure(providerSettings.toBuilder()
                    .extensionKey("filter.auth.allow." + ECHO, "alice,bob")
                    .build());
            assertThat(asBob.echo("now?")).isEqualTo("now?");
            assertThat(asAlice.echo("still")).isEqualTo("still");
        }
    }

    @Test
    void overMutualTlsTheIdentityIsTheClientCertificatesUriSan() throws Exception {
        Path plugins = PackagedPlugin.copyInto(dir.resolve("plugins"), "filter-auth.jar");
        Authority ca = Authority.create("auth test CA");
        Path caFile = write("ca.pem", ca.certificatePem());
        Issued server = ca.issue(Subject.server("provider").ip("127.0.0.1"));
        KernelSettings providerSettings = KernelSettings.builder()
                .serverHost("127.0.0.1")
                .serverPort(0)
                .callSerializer("java-test")
                .pluginsDir(plugins)
                .pluginsWatch(false)
                .dataDir(dir.resolve("p"))
                .tlsEnabled(true)
                .tlsCert(write("server-cert.pem", server.certificatePem(ca)))
                .tlsKey(write("server-key.pem", server.keyPem()))
                .tlsTrust(caFile)
                .tlsClientAuth("require")
                .extensionKey("filter.auth.allow." + ECHO, "spiffe://test/billing")
                .build();
        try (MicroRpc provider = MicroRpc.builder()
                        .settings(providerSettings)
                        .extension(new JavaTestSerializer())
                        .start();
                MicroRpc billing = tlsCaller("billing", ca, caFile);
                MicroRpc reports = tlsCaller("reports", ca, caFile)) {
            provider.export(EchoApi.class, new EchoImpl());
            assertThat(echo(billing, provider).echo("over mtls")).isEqualTo("over mtls");
            assertThat(catchThrowable(() -> echo(reports, provider).echo("may I")))
                    .isInstanceOfSatisfying(RpcException.class, e -> {
                        assertThat(e.code()).isEqualTo(Status.Code.PERMISSION_DENIED);
                        assertThat(e.getMessage()).contains("spiffe://test/reports may not call " + ECHO + "/echo");
                    });
        }
    }

    /** A caller without the auth plugin: over mutual TLS, its certificate is its credential. */
    private MicroRpc tlsCaller(String name, Authority ca, Path caFile) throws Exception {
        Issued cert = ca.issue(Subject.client(name).uri("spiffe://test/" + name));
        return MicroRpc.builder()
                .settings(KernelSettings.builder()
                        .callSerializer("java-test")
                        .pluginsDir(dir.resolve("none"))
                        .pluginsWatch(false)
                        .dataDir(dir.resolve(name))
                        .tlsEnabled(true)
                        .tlsCert(write(name + "-cert.pem", cert.certificatePem(ca)))
                        .tlsKey(write(name + "-key.pem", cert.keyPem()))
                        .tlsTrust(caFile)
                        .build())
                .extension(new JavaTestSerializer())
                .start();
    }

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }
}
