package io.microrpc.kernel.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.ReferenceOptions;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.launcher.Launcher;
import io.microrpc.kernel.testing.BoardRegistry;
import io.microrpc.kernel.testing.EchoApi;
import io.microrpc.kernel.testing.EchoImpl;
import io.microrpc.kernel.testing.JavaTestSerializer;
import io.microrpc.kernel.testing.RegistryBoard;
import io.microrpc.spi.ServiceInstance;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The admin endpoint of a running kernel, and the launcher commands that drive it: every request an
 * operator can get wrong is answered with what was wrong, and the kernel keeps serving.
 */
class AdminServerTest {

    private static final String SERVICE = EchoApi.class.getName();

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private MicroRpc provider;
    private MicroRpc consumer;
    private AdminServer admin;
    private EchoApi echo;

    @BeforeEach
    void setUp() throws Exception {
        RegistryBoard.reset();
        provider = MicroRpc.builder()
                .settings(settings("p").toBuilder().serverWeight(70).build())
                .extension(new JavaTestSerializer())
                .extension(new BoardRegistry())
                .start();
        provider.export(EchoApi.class, new EchoImpl());
        consumer = MicroRpc.builder()
                .settings(settings("c"))
                .extension(new JavaTestSerializer())
                .extension(new BoardRegistry())
                .start();
        echo = consumer.reference(EchoApi.class, ReferenceOptions.builder().build());
        admin = AdminServer.start(provider, "127.0.0.1", 0);
    }

    @AfterEach
    void tearDown() {
        admin.close();
        consumer.close();
        provider.close();
        RegistryBoard.reset();
    }

    private KernelSettings settings(String name) {
        return KernelSettings.builder()
                .serverPort(0)
                .serverHost("127.0.0.1")
                .callSerializer("java-test")
                .pluginsDir(dir.resolve("none"))
                .dataDir(dir.resolve(name))
                .build();
    }

    private HttpResponse<String> send(String method, String pathAndQuery) throws Exception {
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).method(method, HttpRequest.BodyPublishers.noBody()));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(
                request.header(
                                "Authorization",
                                AdminToken.load(admin.tokenFile()).authorization())
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Launcher arguments reaching this endpoint through a configuration file, as an operator's are: its
     * admin port, and the provider's data.dir, where the token is.
     */
    private String[] config() throws IOException {
        Path file = dir.resolve("microrpc.properties");
        Files.writeString(
                file,
                "admin.host=127.0.0.1\nadmin.port=" + admin.address().getPort() + "\ndata.dir="
                        + dir.resolve("p").toString().replace("\\", "/") + "\n");
        return new String[] {"-c", file.toString()};
    }

    private URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + admin.address().getPort() + pathAndQuery);
    }

    private int weightSeenByConsumer() {
        return consumer.admin().discoveredProviders().get(SERVICE).get(0).weight();
    }

    @Test
    void weightChangedAtRuntimeReachesTheRegistryAndConsumers() throws Exception {
        assertThat(RegistryBoard.providers(SERVICE))
                .singleElement()
                .extracting(ServiceInstance::weight)
                .as("server.weight is the starting value")
                .isEqualTo(70);
        assertThat(weightSeenByConsumer()).isEqualTo(70);

        HttpResponse<String> r = send("POST", "/weight?weight=20&service=" + SERVICE);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("registered " + SERVICE).contains("weight=20");
        assertThat(RegistryBoard.providers(SERVICE))
                .singleElement()
                .extracting(ServiceInstance::weight)
                .isEqualTo(20);
        await().atMost(Duration.ofSeconds(5)).until(() -> weightSeenByConsumer() == 20);
        assertThat(echo.echo("still served")).isEqualTo("still served");

        // Without a service: every exported service.
        assertThat(send("POST", "/weight?weight=0").body()).contains("weight=0");
        await().atMost(Duration.ofSeconds(5)).until(() -> weightSeenByConsumer() == 0);
        assertThat(send("GET", "/plugins").body())
                .as("the provider references nothing")
                .doesNotContain("Discovered providers:");
    }

    @Test
    void theConsumersStatusListsWhatItDiscovered() {
        assertThat(AdminServer.describe(provider)).contains("  exported       " + SERVICE + "\n  referenced     -\n");
        assertThat(AdminServer.describe(consumer)).contains("  exported       -\n  referenced     " + SERVICE + "\n");
        assertThat(AdminServer.describe(consumer))
                .contains(
                        "Discovered providers:",
                        SERVICE,
                        "127.0.0.1:" + provider.port() + " weight=70 protocol=1 serializers=java-test");
    }

    @Test
    void badWeightRequestsAreRefusedWithWhatToDoAndChangeNothing() throws Exception {
        for (String query :
                new String[] {"", "?weight=", "?weight=heavy", "?weight=-1", "?weight=99999999999", "?weight=1000001"
                }) {
            HttpResponse<String> r = send("POST", "/weight" + query);
            assertThat(r.statusCode()).as(query).isEqualTo(400);
            assertThat(r.body()).as(query).contains("weight").contains("0-1000000");
        }
        HttpResponse<String> unknown = send("POST", "/weight?weight=5&service=io.example.Nope");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("'io.example.Nope' is not exported").contains(SERVICE);
        assertThat(send("GET", "/weight?weight=5").statusCode())
                .as("changes need POST")
                .isEqualTo(405);
        assertThat(RegistryBoard.providers(SERVICE))
                .singleElement()
                .extracting(ServiceInstance::weight)
                .isEqualTo(70);
        assertThat(echo.echo("still served")).isEqualTo("still served");
    }

    @Test
    void badSwitchRequestsAndUnknownPathsAreRefusedWithWhatToDo() throws Exception {
        HttpResponse<String> noPoint = send("POST", "/switch?name=x");
        assertThat(noPoint.statusCode()).isEqualTo(400);
        assertThat(noPoint.body()).contains("missing query parameter 'point'");
        HttpResponse<String> badPoint = send("POST", "/switch?point=codec&name=x");
        assertThat(badPoint.statusCode()).isEqualTo(400);
        assertThat(badPoint.body())
                .contains("point: 'codec'")
                .contains("serializer, loadbalancer, cluster or registry");
        HttpResponse<String> notLoaded = send("POST", "/switch?point=registry&name=etcd");
        assertThat(notLoaded.statusCode()).isEqualTo(400);
        assertThat(notLoaded.body())
                .contains("no registry named [etcd] is loaded")
                .contains("loaded: board");
        HttpResponse<String> unknownService =
                send("POST", "/switch?point=loadbalancer&name=round-robin&service=com.nope.Service");
        assertThat(unknownService.statusCode()).isEqualTo(400);
        assertThat(unknownService.body())
                .contains("service: 'com.nope.Service'")
                .contains("exported: " + SERVICE)
                .contains("loadbalancer[com.nope.Service]=round-robin");
        HttpResponse<String> unknown = send("GET", "/nope");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("POST /weight").contains("GET /plugins");
        assertThat(send("GET", "/health").body()).isEqualTo("ok\n");
    }

    @Test
    void aStopRequestUnregistersDrainsAndClosesTheKernelThenTheEndpoint() throws Exception {
        HttpResponse<String> r = send("POST", "/shutdown");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body())
                .startsWith("stopping: unregistering, draining in-flight calls (at most server.shutdown-timeout 10s)");
        CompletableFuture.runAsync(() -> {
                    try {
                        provider.awaitTermination();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                })
                .get(10, TimeUnit.SECONDS);
        assertThat(RegistryBoard.providers(SERVICE)).as("unregistered").isEmpty();
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(
                        () -> assertThatThrownBy(() -> send("GET", "/health")).isInstanceOf(ConnectException.class));
    }

    @Test
    void theStopCommandAsksTheKernelToStopAndWaitsUntilItHas() throws IOException {
        String address = "127.0.0.1:" + admin.address().getPort();
        String[] config = config();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Launcher.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        assertThat(cl.execute("stop", config[0], config[1])).as(err.toString()).isZero();
        assertThat(out.toString()).contains("stopping: unregistering").endsWith("stopped\n");
        assertThatThrownBy(() -> provider.export(EchoApi.class, new EchoImpl())).hasMessageContaining("closed");
        assertThat(RegistryBoard.providers(SERVICE)).isEmpty();

        assertThat(cl.execute("stop", config[0], config[1]))
                .as("nothing listens any more")
                .isEqualTo(2);
        assertThat(err.toString()).contains("error: no admin endpoint at http://" + address);
    }

    @Test
    void aTakenPortFallsBackToAFreeOneAndAnAddressNotOfThisMachineFails() throws Exception {
        try (AdminServer second =
                AdminServer.start(provider, "127.0.0.1", admin.address().getPort())) {
            assertThat(second.address().getPort())
                    .isPositive()
                    .isNotEqualTo(admin.address().getPort());
            assertThat(second.tokenFile()).as("one token per data.dir").isEqualTo(admin.tokenFile());
            assertThat(send(HttpRequest.newBuilder(URI.create(
                                    "http://127.0.0.1:" + second.address().getPort() + "/health")))
                            .body())
                    .isEqualTo("ok\n");
        }
        try (MicroRpc remote = MicroRpc.builder()
                .settings(settings("r").toBuilder()
                        .adminAllowPlaintextRemote(true)
                        .build())
                .extension(new JavaTestSerializer())
                .start()) {
            assertThatThrownBy(() -> AdminServer.start(remote, "192.0.2.1", 7421))
                    .isInstanceOf(IOException.class);
        }
        assertThat(send("GET", "/health").body()).isEqualTo("ok\n");
    }

    @Test
    void requestsFromWebPagesAreRefused() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/weight?weight=1"))
                .header("Origin", "http://evil.example")
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(RegistryBoard.providers(SERVICE))
                .singleElement()
                .extracting(ServiceInstance::weight)
                .isEqualTo(70);
    }

    @Test
    void weightCommandDrivesTheEndpointAndReportsItsErrors() throws IOException {
        String[] config = config();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Launcher.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        assertThat(cl.execute("weight", "35", "--service", SERVICE, config[0], config[1]))
                .as(err.toString())
                .isZero();
        assertThat(out.toString()).contains("weight=35");
        assertThat(RegistryBoard.providers(SERVICE))
                .singleElement()
                .extracting(ServiceInstance::weight)
                .isEqualTo(35);

        assertThat(cl.execute("weight", "5", "--service", "io.example.Nope", config[0], config[1]))
                .isEqualTo(2);
        assertThat(err.toString()).contains("error: service 'io.example.Nope' is not exported");
    }

    @Test
    void theWeightCommandChecksItsArgumentBeforeSendingAnything() throws Exception {
        admin.close(); // nothing listens: a request sent would fail with "no admin endpoint"
        String address = "127.0.0.1:" + admin.address().getPort();
        for (String bad : new String[] {"-5", "heavy", "1000001", "99999999999", "1.5", ""}) {
            StringWriter err = new StringWriter();
            CommandLine cl = Launcher.commandLine()
                    .setOut(new PrintWriter(new StringWriter()))
                    .setErr(new PrintWriter(err));
            assertThat(cl.execute("weight", bad, "--admin", address)).as(bad).isEqualTo(2);
            assertThat(err.toString())
                    .as(bad)
                    .isEqualTo("error: weight: " + bad
                            + " (expected: an integer 0-1000000; 0 takes this provider out of weighted rotation)\n");
        }
        assertThat(RegistryBoard.providers(SERVICE))
                .singleElement()
                .extracting(ServiceInstance::weight)
                .isEqualTo(70);
    }
}
