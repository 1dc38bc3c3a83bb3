package io.microrpc.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.microrpc.kernel.admin.AdminServer;
import io.microrpc.kernel.admin.AdminToken;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.testing.EchoApi;
import io.microrpc.kernel.testing.EchoImpl;
import io.microrpc.kernel.testing.JavaTestSerializer;
import io.microrpc.kernel.testing.RawClient;
import io.microrpc.spi.Status.Code;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Call metrics of a real client and server, read as Prometheus text from the admin endpoint. */
class MetricsTest {

    private static final String ECHO = EchoApi.class.getName();

    @TempDir
    Path dir;

    private KernelSettings.Builder settings(String name) {
        return KernelSettings.builder()
                .serverHost("127.0.0.1")
                .serverPort(0)
                .callSerializer("java-test")
                .pluginsDir(dir.resolve("none"))
                .dataDir(dir.resolve(name));
    }

    private static String labels(String side, String method) {
        return "side=\"" + side + "\",service=\"" + ECHO + "\",method=\"" + method + "\"";
    }

    @Test
    void bothSidesCountCallsByStatusAndTimeThem() throws Exception {
        try (MicroRpc server = MicroRpc.builder()
                        .settings(settings("s").build())
                        .extension(new JavaTestSerializer())
                        .start();
                MicroRpc client = MicroRpc.builder()
                        .settings(settings("c").build())
                        .extension(new JavaTestSerializer())
                        .start();
                AdminServer admin = AdminServer.start(server, "127.0.0.1", 0)) {
            server.export(EchoApi.class, new EchoImpl());
            EchoApi echo = client.reference(
                    EchoApi.class,
                    ReferenceOptions.builder()
                            .address("127.0.0.1:" + server.port())
                            .build());
            for (int i = 0; i < 10; i++) {
                echo.echo("m" + i);
            }
            for (int i = 0; i < 3; i++) {
                assertThat(catchThrowable(() -> echo.fail("boom"))).isNotNull();
            }
            try (RawClient raw = RawClient.connect(server.port())) {
                raw.send(RawClient.request(1, "io.example.Nope", "x"));
                assertThat(raw.read().status()).isEqualTo(Code.NOT_FOUND);
            }

            String c = client.metricsText();
            assertThat(c)
                    .contains("microrpc_calls_total{" + labels("client", "echo") + ",status=\"OK\"} 10\n")
                    .contains("microrpc_calls_total{" + labels("client", "fail") + ",status=\"APPLICATION_ERROR\"} 3\n")
                    .contains("microrpc_call_latency_seconds_count{" + labels("client", "echo") + "} 10\n");

            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                            + admin.address().getPort() + "/metrics"))
                                    .header(
                                            "Authorization",
                                            AdminToken.load(admin.tokenFile()).authorization())
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
            assertThat(r.body())
                    .contains("microrpc_calls_total{" + labels("server", "echo") + ",status=\"OK\"} 10\n")
                    .contains("microrpc_calls_total{" + labels("server", "fail") + ",status=\"APPLICATION_ERROR\"} 3\n")
                    .as("a caller's unknown names become no labels")
                    .contains(
                            "microrpc_calls_total{side=\"server\",service=\"(unknown)\",method=\"(unknown)\",status=\"NOT_FOUND\"} 1\n")
                    .doesNotContain("io.example.Nope")
                    .contains("microrpc_server_in_flight 0\n")
                    .contains("# TYPE microrpc_plugin_unloads_total counter\nmicrorpc_plugin_unloads_total 0\n");
            assertThat(server.metrics().getHistograms()).containsKey("microrpc.server." + ECHO + ".echo.latency");
        }
    }

    @Test
    void metricsCanBeTurnedOff() {
        try (MicroRpc server = MicroRpc.builder()
                        .settings(settings("s").metricsEnabled(false).build())
                        .extension(new JavaTestSerializer())
                        .start();
                MicroRpc client = MicroRpc.builder()
                        .settings(settings("c").metricsEnabled(false).build())
                        .extension(new JavaTestSerializer())
                        .start()) {
            server.export(EchoApi.class, new EchoImpl());
            EchoApi echo = client.reference(
                    EchoApi.class,
                    ReferenceOptions.builder()
                            .address("127.0.0.1:" + server.port())
                            .build());
            assertThat(echo.echo("x")).isEqualTo("x");
            assertThat(client.metricsText()).doesNotContain("microrpc_calls_total{");
            assertThat(server.metricsText()).doesNotContain("microrpc_calls_total{");
        }
    }
}
