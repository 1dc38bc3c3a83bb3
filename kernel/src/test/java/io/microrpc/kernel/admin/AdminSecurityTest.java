package io.microrpc.kernel.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.internal.tls.TransportSecurity;
import io.microrpc.kernel.testing.AlternatingBalancer;
import io.microrpc.kernel.testing.BoardRegistry;
import io.microrpc.kernel.testing.EchoApi;
import io.microrpc.kernel.testing.EchoImpl;
import io.microrpc.kernel.testing.JavaTestSerializer;
import io.microrpc.kernel.testing.RegistryBoard;
import io.microrpc.kernel.tls.DevCertificates;
import io.microrpc.spi.Endpoint;
import io.microrpc.spi.LoadBalancer;
import io.microrpc.spi.ServiceInstance;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may use the admin endpoint: a web page in the operator's browser (DNS rebinding, cross-site
 * forms and {@code text/plain} posts) and other local users without the token can neither read nor
 * change anything; the token file is private and shared by the kernels of an installation. Requests
 * go over a plain socket, since they carry what a well-behaved HTTP client never sends.
 */
class AdminSecurityTest {

    private static final String SERVICE = EchoApi.class.getName();

    @TempDir
    Path dir;

    private MicroRpc provider;
    private AdminServer admin;

    /** A second load balancer, so that a switch changes something visible. */
    static final class FirstBalancer implements LoadBalancer {
        @Override
        public String name() {
            return "first";
        }

        @Override
        public Selector newSelector(String service, List<Endpoint> all, Selector previous) {
            return (context, invocation, excluded) -> all.get(0);
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        RegistryBoard.reset();
        provider = MicroRpc.builder()
                .settings(settings().build())
                .extension(new JavaTestSerializer())
                .extension(new BoardRegistry())
                .extension(new AlternatingBalancer())
                .extension(new FirstBalancer())
                .start();
        provider.export(EchoApi.class, new EchoImpl());
        admin = AdminServer.start(provider, "127.0.0.1", 0);
    }

    @AfterEach
    void tearDown() {
        admin.close();
        provider.close();
        RegistryBoard.reset();
    }

    private KernelSettings.Builder settings() {
        return KernelSettings.builder()
                .serverPort(0)
                .serverHost("127.0.0.1")
                .callSerializer("java-test")
                .serverWeight(70)
                .pluginsDir(dir.resolve("none"))
                .dataDir(dir.resolve("data"));
    }

    private String token() throws IOException {
        return Files.readString(dir.resolve("data/admin.token")).trim();
    }

    private String host() {
        return "127.0.0.1:" + admin.address().getPort();
    }

    /** Sends the request's {@code lines} (CRLFs added) on a new connection; reads until the server closes it. */
    private String raw(String... lines) throws IOException {
        try (RawHttp s = RawHttp.connect(admin.address())) {
            // Headers end with an empty line; a request with a body has it already, before the body.
            String text = String.join("\r\n", lines) + (List.of(lines).contains("") ? "" : "\r\n\r\n");
            return s.send(text).readToEnd();
        }
    }

    private int weight() {
        return RegistryBoard.providers(SERVICE).get(0).weight();
    }

    private String balancer() {
        return provider.admin().activeExtensions().get("loadbalancer");
    }

    @Test
    void aRebindingPageCannotReadAnythingEvenWithTheToken() throws Exception {
        for (String path : List.of("/plugins", "/metrics", "/health")) {
            String answer = raw(
                    "GET " + path + " HTTP/1.1",
                    "Host: evil.com:" + admin.address().getPort(),
                    "Authorization: Bearer " + token(),
                    "Connection: close");
            assertThat(answer)
                    .as(path)
                    .startsWith("HTTP/1.1 421 ")
                    .contains("Host: 'evil.com:" + admin.address().getPort() + "' is not this endpoint")
                    .contains("127.0.0.1:" + admin.address().getPort())
                    .doesNotContain("Plugins folder", "microrpc_", "ok\n", "token", token());
        }
        assertThat(raw("GET /plugins HTTP/1.1", "Host: evil.com", "Connection: close"))
                .as("without a port, and without the token: the Host check comes first, so the page does not learn"
                        + " that a token is needed")
                .startsWith("HTTP/1.1 421 ")
                .doesNotContain("WWW-Authenticate");
        assertThat(raw("GET /plugins HTTP/1.1", "Host: 127.0.0.1:1", "Authorization: Bearer " + token()))
                .as("another port")
                .startsWith("HTTP/1.1 421 ");
        assertThat(raw("GET /plugins HTTP/1.0", "Authorization: Bearer " + token()))
                .as("HTTP/1.0 without Host")
                .startsWith("HTTP/1.1 421 ");
        assertThat(raw(
                        "GET /plugins HTTP/1.1",
                        "Host: " + host(),
                        "Host: evil.com",
                        "Authorization: Bearer " + token()))
                .as("two Host headers")
                .startsWith("HTTP/1.1 421 ");
    }

    @Test
    void aCrossSitePostWithoutOriginOrTokenChangesNothing() throws Exception {
        String balancer = balancer();
        for (String target : List.of("/weight?weight=1", "/switch?point=loadbalancer&name=first", "/shutdown")) {
            // What a page's fetch(..., {mode: 'no-cors', body: 'x'}) sends after a DNS rebinding: no Origin,
            // text/plain.
            assertThat(raw(
                            "POST " + target + " HTTP/1.1",
                            "Host: evil.com",
                            "Content-Type: text/plain",
                            "Content-Length: 1",
                            "Connection: close",
                            "",
                            "x"))
                    .as(target)
                    .startsWith("HTTP/1.1 421 ");
            // The same to the right Host (a local process): no token, no change.
            String answer = raw(
                    "POST " + target + " HTTP/1.1",
                    "Host: " + host(),
                    "Content-Type: text/plain",
                    "Content-Length: 1",
                    "Connection: close",
                    "",
                    "x");
            assertThat(answer)
                    .as(target)
                    .startsWith("HTTP/1.1 401 ")
                    .containsIgnoringCase("WWW-Authenticate: Bearer")
                    .contains("missing or wrong admin token")
                    .contains(dir.resolve("data/admin.token").toString())
                    .doesNotContain(token());
            // A form post from a page that is not rebound: the browser adds Origin.
            assertThat(raw(
                            "POST " + target + " HTTP/1.1",
                            "Host: " + host(),
                            "Origin: http://evil.example",
                            "Content-Type: application/x-www-form-urlencoded",
                            "Authorization: Bearer " + token(),
                            "Connection: close"))
                    .as(target)
                    .startsWith("HTTP/1.1 403 ");
        }
        assertThat(weight()).isEqualTo(70);
        assertThat(balancer()).isEqualTo(balancer);
        assertThat(raw(
                        "GET /health HTTP/1.1",
                        "Host: " + host(),
                        "Authorization: Bearer " + token(),
                        "Connection: close"))
                .as("still running")
                .startsWith("HTTP/1.1 200 ");
    }

    @Test
    void aWrongTokenIsRefusedAndTheRightOneWorks() throws Exception {
        String wrong = "Bearer " + "A".repeat(token().length());
        for (String authorization : List.of(wrong, "Bearer", "Basic " + token(), "Bearer " + token() + "x")) {
            assertThat(raw(
                            "POST /weight?weight=1 HTTP/1.1",
                            "Host: " + host(),
                            "Authorization: " + authorization,
                            "Connection: close"))
                    .as(authorization)
                    .startsWith("HTTP/1.1 401 ");
        }
        assertThat(weight()).isEqualTo(70);

        String other = balancer().contains("first") ? "alternating" : "first";
        assertThat(raw(
                        "POST /switch?point=loadbalancer&name=" + other + " HTTP/1.1",
                        "Host: " + host(),
                        "Authorization: bearer " + token(),
                        "Connection: close"))
                .startsWith("HTTP/1.1 200 ");
        assertThat(balancer()).contains(other);
        assertThat(raw(
                        "POST /weight?weight=20 HTTP/1.1",
                        "Host: localhost:" + admin.address().getPort(),
                        "Authorization: Bearer " + token(),
                        "Connection: close"))
                .startsWith("HTTP/1.1 200 ");
        assertThat(weight()).isEqualTo(20);
        for (String host : List.of("[::1]:" + admin.address().getPort(), "127.0.0.1", "LOCALHOST")) {
            assertThat(raw(
                            "GET /health HTTP/1.1",
                            "Host: " + host,
                            "Authorization: Bearer " + token(),
                            "Connection: close"))
                    .as(host)
                    .startsWith("HTTP/1.1 200 ");
        }
    }

    @Test
    void changesNeedPost() throws Exception {
        for (String path :
                List.of("/weight?weight=1", "/switch?point=loadbalancer&name=first", "/reload", "/shutdown")) {
            for (String method : List.of("GET", "PUT", "DELETE")) {
                assertThat(raw(
                                method + " " + path + " HTTP/1.1",
                                "Host: " + host(),
                                "Authorization: Bearer " + token(),
                                "Connection: close"))
                        .as(method + " " + path)
                        .startsWith("HTTP/1.1 405 ")
                        .containsIgnoringCase("Allow: POST\r\n")
                        .contains("changes need POST");
            }
        }
        assertThat(raw(
                        "POST /plugins HTTP/1.1",
                        "Host: " + host(),
                        "Authorization: Bearer " + token(),
                        "Connection: close"))
                .startsWith("HTTP/1.1 405 ")
                .containsIgnoringCase("Allow: GET, HEAD\r\n");
        assertThat(weight()).isEqualTo(70);
        assertThat(provider.exportedServices()).as("not shut down").contains(SERVICE);
    }

    @Test
    void theTokenFileIsOwnerOnlyAndSharedByTheKernelsOfAnInstallation() throws Exception {
        Path file = dir.resolve("data/admin.token");
        assertThat(admin.tokenFile()).isEqualTo(file.toAbsolutePath());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        String token = token();
        assertThat(Base64.getUrlDecoder().decode(token)).as("32 random bytes").hasSize(32);
        assertThat(token).doesNotContain("=");
        assertThat(file.getParent().toFile().list())
                .filteredOn(name -> name.contains("token"))
                .as("no temporary file left")
                .containsOnly("admin.token");

        admin.close();
        admin = AdminServer.start(provider, "127.0.0.1", 0);
        assertThat(token()).as("reused at the next start").isEqualTo(token);
        assertThat(AdminToken.loadOrCreate(file).matches(token)).isTrue();
        assertThat(AdminToken.loadOrCreate(file).toString()).doesNotContain(token);
    }

    @Test
    void aConfiguredTokenFileIsCreatedWhereConfigured() throws Exception {
        Path file = dir.resolve("secrets/nested/admin-token");
        try (MicroRpc other = MicroRpc.builder()
                        .settings(settings().adminTokenFile(file).build())
                        .extension(new JavaTestSerializer())
                        .start();
                AdminServer second = AdminServer.start(other, "127.0.0.1", 0)) {
            assertThat(second.tokenFile()).isEqualTo(file.toAbsolutePath());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .isEqualTo("rw-------");
            assertThat(Files.readString(file).trim()).isNotEqualTo(token());
        }
    }

    @Test
    void aFileThatHoldsNoTokenIsRefusedWithWhatToDo() throws Exception {
        Path file = dir.resolve("bad.token");
        Files.writeString(file, "not a token!\n", StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> AdminToken.loadOrCreate(file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("does not hold a token")
                .hasMessageContaining("delete the file");
    }

    @Test
    void aNonLoopbackBindWithTlsServesHttpsOnly() throws Exception {
        Path certs = dir.resolve("certs");
        DevCertificates.writeDevelopmentSet(certs);
        KernelSettings tls = settings()
                .tlsEnabled(true)
                .tlsCert(certs.resolve(DevCertificates.SERVER_CERT))
                .tlsKey(certs.resolve(DevCertificates.SERVER_KEY))
                .tlsTrust(certs.resolve(DevCertificates.CA))
                .build();
        try (MicroRpc remote = MicroRpc.builder()
                        .settings(tls)
                        .extension(new JavaTestSerializer())
                        .start();
                AdminServer https = AdminServer.start(remote, "0.0.0.0", 0)) {
            URI health = URI.create("https://127.0.0.1:" + https.address().getPort() + "/health");
            HttpClient client = HttpClient.newBuilder()
                    .sslContext(TransportSecurity.jdkClientContext(tls))
                    .build();
            HttpResponse<String> ok = client.send(
                    HttpRequest.newBuilder(health)
                            .header("Authorization", "Bearer " + token())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ok.statusCode()).isEqualTo(200);
            HttpResponse<String> noToken =
                    client.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(noToken.statusCode()).isEqualTo(401);

            try (RawHttp plain = RawHttp.connect(https.address())) {
                assertThat(plain.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token()
                                        + "\r\nConnection: close\r\n\r\n")
                                .readToEnd())
                        .as("plain HTTP gets no answer")
                        .doesNotContain("HTTP/1.1");
            }
        }
    }

    @Test
    void aNonLoopbackBindNeedsTlsOrAnExplicitOptOut() throws Exception {
        assertThatThrownBy(() -> AdminServer.start(provider, "0.0.0.0", 0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("admin.host: '0.0.0.0' is not a loopback address")
                .hasMessageContaining("tls.enabled=true")
                .hasMessageContaining("admin.allow-plaintext-remote=true");

        try (MicroRpc remote = MicroRpc.builder()
                        .settings(settings().adminAllowPlaintextRemote(true).build())
                        .extension(new JavaTestSerializer())
                        .start();
                AdminServer open = AdminServer.start(remote, "0.0.0.0", 0)) {
            try (RawHttp s = RawHttp.connect(open.address())) {
                assertThat(s.send("GET /health HTTP/1.1\r\nHost: 0.0.0.0:"
                                        + open.address().getPort() + "\r\nAuthorization: Bearer " + token()
                                        + "\r\nConnection: close\r\n\r\n")
                                .readToEnd())
                        .startsWith("HTTP/1.1 200 ");
            }
            try (RawHttp s = RawHttp.connect(open.address())) {
                assertThat(s.send("GET /health HTTP/1.1\r\nHost: evil.com\r\nAuthorization: Bearer " + token()
                                        + "\r\nConnection: close\r\n\r\n")
                                .readToEnd())
                        .startsWith("HTTP/1.1 421 ");
            }
        }
        assertThat(weight()).isEqualTo(70);
        assertThat(RegistryBoard.providers(SERVICE))
                .singleElement()
                .extracting(ServiceInstance::weight)
                .isEqualTo(70);
    }
}
