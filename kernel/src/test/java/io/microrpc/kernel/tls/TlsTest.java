package io.microrpc.kernel.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.ReferenceOptions;
import io.microrpc.kernel.config.ConfigException;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.internal.tls.TransportSecurity;
import io.microrpc.kernel.testing.BoardRegistry;
import io.microrpc.kernel.testing.CallerLoad;
import io.microrpc.kernel.testing.EchoApi;
import io.microrpc.kernel.testing.EchoImpl;
import io.microrpc.kernel.testing.JavaTestSerializer;
import io.microrpc.kernel.testing.RawClient;
import io.microrpc.kernel.testing.RegistryBoard;
import io.microrpc.kernel.tls.DevCertificates.Authority;
import io.microrpc.kernel.tls.DevCertificates.Issued;
import io.microrpc.kernel.tls.DevCertificates.Subject;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.Invoker;
import io.microrpc.spi.RpcException;
import io.microrpc.spi.ServerFilter;
import io.microrpc.spi.ServerRequestContext;
import io.microrpc.spi.Status;
import io.netty.handler.ssl.OpenSsl;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TLS and mutual TLS between real kernels over loopback: what works, each way a handshake must fail and
 * what the operator reads then, certificate rotation under load, and outside peers (the JDK's TLS
 * client, {@code openssl s_client}).
 */
class TlsTest {

    @TempDir
    Path dir;

    private final Authority ca = Authority.create("test CA");
    private final List<MicroRpc> kernels = new CopyOnWriteArrayList<>();
    private final List<String> identities = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        kernels.forEach(MicroRpc::close);
    }

    /** Records the subject of the client certificate of each call it sees. */
    private final class Identities implements ServerFilter {
        @Override
        public String name() {
            return "identities";
        }

        @Override
        public CompletableFuture<Object> invoke(ServerRequestContext context, Invocation invocation, Invoker next) {
            List<X509Certificate> chain = context.peerCertificates();
            identities.add(
                    chain.isEmpty()
                            ? "none"
                            : chain.get(0).getSubjectX500Principal().getName());
            return next.invoke(invocation);
        }
    }

    private Path write(String name, String pem) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, pem);
        return p;
    }

    private Path trust(Authority authority, String name) throws IOException {
        return write(name, authority.certificatePem());
    }

    private KernelSettings.Builder base(String name) {
        return KernelSettings.builder()
                .serverHost("127.0.0.1")
                .serverPort(0)
                .callSerializer("java-test")
                .callTimeout(Duration.ofSeconds(5))
                .callConnectTimeout(Duration.ofSeconds(2))
                .reconnectInitialBackoff(Duration.ofMillis(50))
                .reconnectMaxBackoff(Duration.ofMillis(200))
                .pluginsDir(dir.resolve("none"))
                .dataDir(dir.resolve(name));
    }

    /** Settings that present {@code issued} and trust {@code trust}. */
    private KernelSettings.Builder tls(String name, Issued issued, Path trust) throws IOException {
        KernelSettings.Builder b = base(name).tlsEnabled(true).tlsTrust(trust);
        if (issued != null) {
            b.tlsCert(write(name + "-cert.pem", issued.certificatePem(ca)))
                    .tlsKey(write(name + "-key.pem", issued.keyPem()));
        }
        return b;
    }

    private MicroRpc server(KernelSettings.Builder settings) {
        MicroRpc s = MicroRpc.builder()
                .settings(settings.build())
                .extension(new JavaTestSerializer())
                .extension(new Identities())
                .start();
        kernels.add(s);
        s.export(EchoApi.class, new EchoImpl());
        return s;
    }

    private EchoApi client(KernelSettings.Builder settings, MicroRpc server) {
        MicroRpc c = MicroRpc.builder()
                .settings(settings.build())
                .extension(new JavaTestSerializer())
                .start();
        kernels.add(c);
        return c.reference(
                EchoApi.class,
                ReferenceOptions.builder()
                        .address("127.0.0.1:" + server.port())
                        .timeout(Duration.ofSeconds(3))
                        .build());
    }

    private Issued serverCert() {
        return ca.issue(Subject.server("provider").dns("localhost").ip("127.0.0.1"));
    }

    private Issued clientCert() {
        return ca.issue(Subject.client("consumer").uri("spiffe://test/consumer"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "openssl"})
    void mutualTlsCallsWorkAndTheServerSeesTheClientsCertificate(String provider) throws Exception {
        Assumptions.assumeTrue(provider.equals("jdk") || OpenSsl.isAvailable(), "OpenSSL does not load here");
        Path caFile = trust(ca, "ca.pem");
        MicroRpc server =
                server(tls("s", serverCert(), caFile).tlsClientAuth("require").tlsProvider(provider));
        EchoApi echo = client(tls("c", clientCert(), caFile).tlsProvider(provider), server);

        assertThat(echo.echo("over tls")).isEqualTo("over tls");
        assertThat(echo.echoAsync("x").get(5, TimeUnit.SECONDS)).isEqualTo("async:x");
        assertThat(identities).containsOnly("CN=consumer");
    }

    @Test
    void serverWithoutClientAuthSeesNoCertificate() throws Exception {
        Path caFile = trust(ca, "ca.pem");
        MicroRpc server = server(tls("s", serverCert(), caFile));
        EchoApi echo = client(tls("c", null, caFile), server);

        assertThat(echo.echo("one-way tls")).isEqualTo("one-way tls");
        assertThat(identities).containsOnly("none");
    }

    @Test
    void clientRefusesAServerSignedByAnotherCa() throws Exception {
        MicroRpc server = server(tls("s", serverCert(), trust(ca, "ca.pem")));
        EchoApi echo = client(tls("c", null, trust(Authority.create("other CA"), "other.pem")), server);

        assertThatThrownBy(() -> echo.echo("x"))
                .isInstanceOf(RpcException.class)
                .satisfies(e -> assertThat(((RpcException) e).status().code()).isEqualTo(Status.Code.UNAVAILABLE))
                .hasMessageContaining("TLS handshake failed")
                .hasMessageContaining("not signed by a CA of tls.trust");
    }

    @Test
    void clientRefusesACertificateForAnotherName() throws Exception {
        Path caFile = trust(ca, "ca.pem");
        Issued elsewhere = ca.issue(Subject.server("elsewhere").dns("elsewhere.example"));
        MicroRpc server = server(tls("s", elsewhere, caFile));
        EchoApi echo = client(tls("c", null, caFile), server);

        assertThatThrownBy(() -> echo.echo("x"))
                .hasMessageContaining("TLS handshake failed")
                .hasMessageContaining("not valid for the name dialled");
    }

    @Test
    void tlsServerNameNamesTheServerToCheck() throws Exception {
        Path caFile = trust(ca, "ca.pem");
        Issued elsewhere = ca.issue(Subject.server("elsewhere").dns("elsewhere.example"));
        MicroRpc server = server(tls("s", elsewhere, caFile));
        EchoApi echo = client(tls("c", null, caFile).tlsServerName("elsewhere.example"), server);

        assertThat(echo.echo("named")).isEqualTo("named");
    }

    @Test
    void clientRefusesAnExpiredServerCertificate() throws Exception {
        Path caFile = trust(ca, "ca.pem");
        Instant now = Instant.now();
        Issued expired = ca.issue(Subject.server("old")
                .ip("127.0.0.1")
                .validity(now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(1))));
        MicroRpc server = server(tls("s", expired, caFile));
        EchoApi echo = client(tls("c", null, caFile), server);

        assertThatThrownBy(() -> echo.echo("x"))
                .hasMessageContaining("TLS handshake failed")
                .hasMessageContaining("expired");
    }

    @Test
    void serverRefusesAnExpiredClientCertificateAndKeepsServing() throws Exception {
        Path caFile = trust(ca, "ca.pem");
        MicroRpc server = server(tls("s", serverCert(), caFile).tlsClientAuth("require"));
        Instant now = Instant.now();
        Issued expired = ca.issue(
                Subject.client("stale").validity(now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(1))));
        try (Stderr log = Stderr.capture()) {
            EchoApi stale = client(tls("stale", expired, caFile), server);
            assertThatThrownBy(() -> stale.echo("x")).isInstanceOf(RpcException.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> log.text().contains("client's certificate expired"));
            assertThat(log.text()).doesNotContain("\tat ");
        }
        assertThat(client(tls("c", clientCert(), caFile), server).echo("still")).isEqualTo("still");
        assertThat(identities).containsOnly("CN=consumer");
    }

    @Test
    void serverRequiringACertificateRefusesAClientWithout() throws Exception {
        Path caFile = trust(ca, "ca.pem");
        MicroRpc server = server(tls("s", serverCert(), caFile).tlsClientAuth("require"));
        try (Stderr log = Stderr.capture()) {
            EchoApi anonymous = client(tls("c", null, caFile), server);
            assertThatThrownBy(() -> anonymous.echo("x")).isInstanceOf(RpcException.class);
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThatThrownBy(() -> anonymous.echo("x"))
                            .hasMessageContaining("the server requires a client certificate"));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> log.text().contains("presented no certificate and tls.client-auth=require"));
            assertThat(log.text()).doesNotContain("\tat ");
        }
        assertThat(identities).isEmpty();
    }

    @Test
    void plaintextClientAgainstATlsServerIsRefusedWithOneLineAndNoStackTrace() throws Exception {
        MicroRpc server = server(tls("s", serverCert(), trust(ca, "ca.pem")));
        try (Stderr log = Stderr.capture()) {
            try (RawClient raw = RawClient.connect(server.port())) {
                raw.send(RawClient.request(1, EchoApi.class.getName(), "echo", "plain"));
                raw.awaitClosedByServer();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> log.text().contains("does not speak TLS"));
            assertThat(log.text().lines().filter(l -> l.contains("does not speak TLS")))
                    .hasSize(1);
            assertThat(log.text()).doesNotContain("\tat ");
        }
        assertThat(identities).isEmpty();
    }

    @Test
    void aClientThatNeverCompletesTheHandshakeIsClosedAtTheFrameTimeout() throws Exception {
        MicroRpc server =
                server(tls("s", serverCert(), trust(ca, "ca.pem")).serverFrameTimeout(Duration.ofMillis(500)));
        try (Stderr log = Stderr.capture();
                RawClient silent = RawClient.connect(server.port())) {
            silent.awaitClosedByServer();
            await().atMost(Duration.ofSeconds(10)).until(() -> log.text().contains("handshake timed out"));
            assertThat(log.text().lines().filter(l -> l.contains("TLS handshake with client")))
                    .hasSize(1);
            assertThat(log.text()).doesNotContain("\tat ");
        }
        assertThat(client(tls("c", null, trust(ca, "ca.pem")), server).echo("others are served"))
                .isEqualTo("others are served");
    }

    @Test
    void tlsClientAgainstAPlaintextServerSaysSo() throws Exception {
        MicroRpc server = server(base("s"));
        try (Stderr log = Stderr.capture()) {
            EchoApi echo = client(tls("c", null, trust(ca, "ca.pem")), server);
            assertThatThrownBy(() -> echo.echo("x")).hasMessageContaining("TLS handshake failed");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> log.text().contains("a TLS handshake: the peer has TLS on"));
        }
    }

    @Test
    void rotationUnderLoadFailsNoCallAndNewConnectionsGetTheNewCertificate() throws Exception {
        Path caFile = trust(ca, "ca.pem");
        Issued first = serverCert();
        Path cert = write("rot-cert.pem", first.certificatePem(ca));
        Path key = write("rot-key.pem", first.keyPem());
        MicroRpc server = server(base("s")
                .tlsEnabled(true)
                .tlsCert(cert)
                .tlsKey(key)
                .tlsTrust(caFile)
                .tlsReloadInterval(Duration.ofMillis(100)));
        EchoApi echo = client(tls("c", null, caFile), server);
        assertThat(presented(server.port(), caFile).getSerialNumber())
                .isEqualTo(first.certificate().getSerialNumber());

        CallerLoad load = new CallerLoad(echo, 4).start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> load.calls() > 200);
            Issued second = serverCert();
            replace(key, second.keyPem());
            replace(cert, second.certificatePem(ca));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> presented(server.port(), caFile)
                            .getSerialNumber()
                            .equals(second.certificate().getSerialNumber()));
            long before = load.calls();
            await().atMost(Duration.ofSeconds(10)).until(() -> load.calls() > before + 200);
        } finally {
            load.stop();
        }
        assertThat(load.failures()).isEmpty();
    }

    @Test
    void aBrokenReplacementIsRefusedWithALogLine() throws Exception {
        Path caFile = trust(ca, "ca.pem");
        Issued first = serverCert();
        Path cert = write("cert.pem", first.certificatePem(ca));
        Path key = write("key.pem", first.keyPem());
        KernelSettings settings = base("s")
                .tlsEnabled(true)
                .tlsCert(cert)
                .tlsKey(key)
                .tlsTrust(caFile)
                .tlsReloadInterval(Duration.ZERO)
                .build();
        try (TransportSecurity security = TransportSecurity.start(settings)) {
            try (Stderr log = Stderr.capture()) {
                replace(key, serverCert().keyPem()); // a key that is not the certificate's
                security.reloadIfChanged();
                assertThat(log.text()).contains("TLS material not reloaded").contains("is not the private key");
            }
            assertThat(security.describe())
                    .contains(first.certificate().getSerialNumber().toString(16));

            Issued second = serverCert();
            replace(cert, second.certificatePem(ca));
            replace(key, second.keyPem());
            security.reloadIfChanged();
            assertThat(security.describe())
                    .contains(second.certificate().getSerialNumber().toString(16));
        }
    }

    @Test
    void badMaterialFailsTheStartNamingTheKey() throws Exception {
        Path caFile = trust(ca, "ca.pem");
        Issued issued = serverCert();
        Path cert = write("cert.pem", issued.certificatePem(ca));
        Path key = write("key.pem", issued.keyPem());
        assertThatThrownBy(() -> start(base("a")
                        .tlsEnabled(true)
                        .tlsCert(dir.resolve("missing.pem"))
                        .tlsKey(key)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("tls.cert")
                .hasMessageContaining("no such file");
        assertThatThrownBy(() -> start(base("b").tlsEnabled(true).tlsCert(cert)))
                .hasMessageContaining("tls.key is not");
        Path otherKey = write("other-key.pem", serverCert().keyPem());
        assertThatThrownBy(() -> start(base("c").tlsEnabled(true).tlsCert(cert).tlsKey(otherKey)))
                .hasMessageContaining("is not the private key of the certificate");
        Path rsaStyle = write("pkcs1.pem", "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        assertThatThrownBy(() -> start(base("d").tlsEnabled(true).tlsCert(cert).tlsKey(rsaStyle)))
                .hasMessageContaining("PKCS#8");
        assertThatThrownBy(() -> start(
                        base("e").tlsEnabled(true).tlsCert(cert).tlsKey(key).tlsClientAuth("require")))
                .hasMessageContaining("tls.client-auth=require needs tls.trust");
        assertThatThrownBy(() -> start(base("f")
                        .tlsEnabled(true)
                        .tlsCert(cert)
                        .tlsKey(key)
                        .tlsTrust(caFile)
                        .tlsProtocols(List.of("TLSv9"))))
                .hasMessageContaining("tls.protocols");
        MicroRpc noCert = start(base("g").tlsEnabled(true).tlsTrust(caFile));
        assertThatThrownBy(() -> noCert.export(EchoApi.class, new EchoImpl()))
                .hasMessageContaining("tls.cert and tls.key are not set");
    }

    @Test
    void providersPublishTlsAndOnlyConsumersWithTlsDialThem() throws Exception {
        RegistryBoard.reset();
        try {
            Path caFile = trust(ca, "ca.pem");
            MicroRpc provider = MicroRpc.builder()
                    .settings(tls("s", serverCert(), caFile).build())
                    .extension(new JavaTestSerializer())
                    .extension(new BoardRegistry())
                    .start();
            kernels.add(provider);
            provider.export(EchoApi.class, new EchoImpl());
            await().atMost(Duration.ofSeconds(10))
                    .until(() ->
                            !RegistryBoard.providers(EchoApi.class.getName()).isEmpty());
            assertThat(RegistryBoard.providers(EchoApi.class.getName()).get(0).metadata())
                    .containsEntry(MicroRpc.TLS_METADATA, "true");

            EchoApi secure = viaRegistry(tls("c", null, caFile));
            assertThat(secure.echo("found over tls")).isEqualTo("found over tls");
            EchoApi plain = viaRegistry(base("p"));
            assertThatThrownBy(() -> plain.echo("x"))
                    .isInstanceOf(RpcException.class)
                    .hasMessageContaining("no provider of");
        } finally {
            RegistryBoard.reset();
        }
    }

    private EchoApi viaRegistry(KernelSettings.Builder settings) {
        MicroRpc c = MicroRpc.builder()
                .settings(settings.build())
                .extension(new JavaTestSerializer())
                .extension(new BoardRegistry())
                .start();
        kernels.add(c);
        return c.reference(
                EchoApi.class,
                ReferenceOptions.builder().timeout(Duration.ofSeconds(3)).build());
    }

    @Test
    void theJdksClientSeesTheChainAndTheProtocol() throws Exception {
        Path caFile = trust(ca, "ca.pem");
        Issued issued = serverCert();
        MicroRpc server = server(tls("s", issued, caFile));
        try (SSLSocket socket = jdkClient(server.port(), caFile)) {
            socket.startHandshake();
            assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
            assertThat(((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber())
                    .isEqualTo(issued.certificate().getSerialNumber());
        }
    }

    @Test
    void opensslSClientCompletesAMutualHandshake() throws Exception {
        Assumptions.assumeTrue(hasOpenssl(), "no openssl binary here");
        Path caFile = trust(ca, "ca.pem");
        MicroRpc server = server(tls("s", serverCert(), caFile).tlsClientAuth("require"));
        Issued client = clientCert();
        Path clientCert = write("sclient-cert.pem", client.certificatePem(ca));
        Path clientKey = write("sclient-key.pem", client.keyPem());
        Process p = new ProcessBuilder(
                        "openssl",
                        "s_client",
                        "-connect",
                        "127.0.0.1:" + server.port(),
                        "-CAfile",
                        caFile.toString(),
                        "-cert",
                        clientCert.toString(),
                        "-key",
                        clientKey.toString(),
                        "-verify_return_error",
                        "-verify_ip",
                        "127.0.0.1")
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().close();
        String out = readAll(p.getInputStream());
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("Verification: OK").contains("TLSv1.3").contains("subject=CN = provider");
        assertThat(p.exitValue()).as(out).isZero();
    }

    // ---- helpers ----

    private MicroRpc start(KernelSettings.Builder settings) {
        MicroRpc k = MicroRpc.builder()
                .settings(settings.build())
                .extension(new JavaTestSerializer())
                .start();
        kernels.add(k);
        return k;
    }

    /** Writes {@code text} to a temporary file and renames it over {@code file}, as a rotation tool does. */
    private static void replace(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The certificate a new connection to {@code port} is shown. */
    private static X509Certificate presented(int port, Path caFile) throws Exception {
        try (SSLSocket socket = jdkClient(port, caFile)) {
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    private static SSLSocket jdkClient(int port, Path caFile) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caFile)) {
            trust.setCertificateEntry(
                    "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        SSLSocket socket = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(5000);
        return socket;
    }

    private static boolean hasOpenssl() {
        try {
            Process p = new ProcessBuilder("openssl", "version")
                    .redirectErrorStream(true)
                    .start();
            readAll(p.getInputStream());
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static String readAll(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    /** What slf4j-simple writes (to System.err) from {@link #capture()} to {@link #close()}, passed through. */
    static final class Stderr implements AutoCloseable {
        private final PrintStream original = System.err;
        private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

        static Stderr capture() {
            Stderr s = new Stderr();
            System.setErr(new PrintStream(s.captured, true, StandardCharsets.UTF_8) {
                @Override
                public void write(byte[] buf, int off, int len) {
                    synchronized (s) {
                        super.write(buf, off, len);
                    }
                    s.original.write(buf, off, len);
                }
            });
            return s;
        }

        synchronized String text() {
            return captured.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            System.setErr(original);
        }
    }
}
