package io.microrpc.kernel.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.testing.EchoApi;
import io.microrpc.kernel.testing.EchoImpl;
import io.microrpc.kernel.testing.JavaTestSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin endpoint cannot be stalled (issue 10): half-sent requests, trickled headers, oversized
 * requests, idle connections by the hundred and a change that hangs, each against a real endpoint on
 * a real socket; meanwhile {@code GET /health} answers.
 */
class AdminServerLimitsTest {

    private static final Duration SHORT = Duration.ofSeconds(1);
    private static final Duration LONG = Duration.ofMinutes(1);

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<RawHttp> sockets = new ArrayList<>();
    private final GateRegistry registry = new GateRegistry();
    private MicroRpc provider;
    private AdminServer admin;

    @BeforeEach
    void setUp() {
        provider = MicroRpc.builder()
                .settings(KernelSettings.builder()
                        .serverPort(0)
                        .serverHost("127.0.0.1")
                        .callSerializer("java-test")
                        .pluginsDir(dir.resolve("none"))
                        .dataDir(dir.resolve("data"))
                        .adminRequestTimeout(SHORT)
                        .build())
                .extension(new JavaTestSerializer())
                .extension(registry)
                .start();
        provider.export(EchoApi.class, new EchoImpl());
    }

    @AfterEach
    void tearDown() throws IOException {
        registry.open();
        for (RawHttp s : sockets) {
            s.close();
        }
        if (admin != null) {
            admin.close();
        }
        provider.close();
    }

    private void start(AdminLimits limits) throws IOException {
        admin = AdminServer.start(provider, "127.0.0.1", 0, null, limits);
    }

    private RawHttp connect() throws IOException {
        RawHttp s = RawHttp.connect(
                new InetSocketAddress("127.0.0.1", admin.address().getPort()));
        sockets.add(s);
        return s;
    }

    /** The headers every request needs: this endpoint's Host and the admin token. */
    private String head() throws IOException {
        return "Host: 127.0.0.1:" + admin.address().getPort() + "\r\nAuthorization: "
                + AdminToken.load(admin.tokenFile()).authorization() + "\r\n";
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        return sendAsync(method, path).get(10, TimeUnit.SECONDS);
    }

    private String authorization() {
        try {
            return AdminToken.load(admin.tokenFile()).authorization();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private CompletableFuture<HttpResponse<String>> sendAsync(String method, String path) {
        return http.sendAsync(
                HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + admin.address().getPort() + path))
                        .header("Authorization", authorization())
                        .timeout(Duration.ofSeconds(10))
                        .method(method, HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void assertHealthy() throws Exception {
        HttpResponse<String> health = send("GET", "/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("ok\n");
    }

    @Test
    void halfSentRequestsHoldUpNobodyAndAreClosedAfterTheRequestTimeout() throws Exception {
        admin = AdminServer.start(provider, "127.0.0.1", 0); // admin.request-timeout from the settings: 1s
        RawHttp halfHeaders = connect().send("GET /health HTTP/1.1\r\n" + head() + "X-Slow: ");
        RawHttp halfBody =
                connect().send("POST /weight?weight=5 HTTP/1.1\r\n" + head() + "Content-Length: 10\r\n\r\nabc");
        RawHttp silent = connect();

        assertHealthy();
        assertThat(send("GET", "/metrics").statusCode()).isEqualTo(200);

        for (RawHttp stalled : List.of(halfHeaders, halfBody)) {
            assertThat(stalled.readToEnd())
                    .startsWith("HTTP/1.1 408 Request Timeout")
                    .endsWith("\r\n\r\nrequest not complete within admin.request-timeout 1s; connection closed\n");
        }
        assertThat(silent.readToEnd())
                .as("a connection that sent nothing is closed without an answer")
                .isEmpty();
        assertThat(registry.registrations())
                .as("the half-sent POST changed nothing")
                .isEqualTo(1);
        assertHealthy();
    }

    @Test
    void aClientTricklingItsHeadersIsClosedAtTheDeadlineAllTheSame() throws Exception {
        admin = AdminServer.start(provider, "127.0.0.1", 0);
        RawHttp slowloris = connect().send("GET /health HTTP/1.1\r\n" + head() + "X-Slow: ");
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        try {
            trickle.scheduleWithFixedDelay(
                    () -> {
                        try {
                            slowloris.send("a"); // a byte every 50 ms: each one would reset a read-idle timeout
                        } catch (IOException closed) {
                            throw new IllegalStateException(closed); // ends the schedule
                        }
                    },
                    0,
                    50,
                    TimeUnit.MILLISECONDS);
            assertHealthy();
            assertThat(slowloris.readToEnd()).startsWith("HTTP/1.1 408 ").contains("admin.request-timeout 1s");
        } finally {
            trickle.shutdownNow();
        }
    }

    @Test
    void oversizedRequestLinesHeadersAndBodiesAreRefusedWithWhatWasWrong() throws Exception {
        start(AdminLimits.withTimeout(LONG));
        assertThat(connect()
                        .send("GET /health?" + "a".repeat(5000) + " HTTP/1.1\r\n" + head() + "\r\n")
                        .readToEnd())
                .startsWith("HTTP/1.1 414 ")
                .contains("connection: close")
                .endsWith(
                        "request line too long: more than 4096 bytes (expected: METHOD /path?query HTTP/1.1 within 4096 bytes)\n");

        StringBuilder headers = new StringBuilder("GET /health HTTP/1.1\r\n" + head());
        for (int i = 0; i < 10; i++) {
            headers.append("X-Big-")
                    .append(i)
                    .append(": ")
                    .append("b".repeat(1000))
                    .append("\r\n");
        }
        assertThat(connect().send(headers + "\r\n").readToEnd())
                .startsWith("HTTP/1.1 431 ")
                .endsWith("request headers too large: more than 8192 bytes in all (expected: a few short headers; "
                        + "the admin endpoint needs none but Host and Authorization)\n");

        assertThat(connect()
                        .send("POST /reload HTTP/1.1\r\n" + head() + "Content-Length: 1000000\r\n\r\n"
                                + "c".repeat(3000))
                        .readToEnd())
                .startsWith("HTTP/1.1 413 ")
                .endsWith(
                        "request body too large: 1000000 bytes (expected: at most 16384; "
                                + "the admin endpoint reads no body, its parameters go in the query string, e.g. POST /weight?weight=20)\n");

        String chunk = Integer.toHexString(8192) + "\r\n" + "d".repeat(8192) + "\r\n";
        assertThat(connect()
                        .send("POST /weight?weight=1 HTTP/1.1\r\n" + head() + "Transfer-Encoding: chunked\r\n\r\n"
                                + chunk.repeat(3))
                        .readToEnd())
                .startsWith("HTTP/1.1 413 ")
                .contains("request body too large: 2");
        assertThat(registry.registrations())
                .as("no refused request reached the kernel")
                .isEqualTo(1);
        assertHealthy();
    }

    @Test
    void malformedRequestsAreRefusedWithWhatWasExpected() throws Exception {
        start(AdminLimits.withTimeout(LONG));
        assertThat(connect()
                        .send("GET /switch?point=%zz HTTP/1.1\r\n" + head() + "\r\n")
                        .readToEnd())
                .startsWith("HTTP/1.1 400 ")
                .contains("malformed request target '/switch?point=%zz' (expected: /path?name=value, with %-escapes");
        assertThat(connect()
                        .send("GET /health HTTP/1.1\r\n" + head() + "Content-Length: lots\r\n\r\n")
                        .readToEnd())
                .startsWith("HTTP/1.1 400 ")
                .contains("malformed HTTP request: ")
                .contains("(expected: HTTP/1.1, e.g. GET /health)");
        assertHealthy();
    }

    @Test
    void smallBodiesExpectContinueAndKeptAliveConnectionsAreServedAsBefore() throws Exception {
        start(AdminLimits.withTimeout(LONG));
        RawHttp client = connect().send("POST /weight?weight=3 HTTP/1.1\r\n" + head() + "Content-Length: 3\r\n\r\nx=y");
        assertThat(client.readAnswer())
                .startsWith("HTTP/1.1 200 OK")
                .contains("connection: keep-alive")
                .contains("registered " + EchoApi.class.getName());
        client.send(
                "POST /weight?weight=4 HTTP/1.1\r\n" + head() + "Content-Length: 3\r\nExpect: 100-continue\r\n\r\n");
        assertThat(client.readAnswer()).startsWith("HTTP/1.1 100 Continue");
        client.send("x=y");
        assertThat(client.readAnswer()).startsWith("HTTP/1.1 200 OK").contains("weight=4");
        client.send("HEAD /health HTTP/1.1\r\n" + head() + "Connection: close\r\n\r\n");
        assertThat(client.readToEnd())
                .startsWith("HTTP/1.1 200 OK")
                .contains("content-length: 3")
                .endsWith("\r\n\r\n");

        RawHttp pipelining = connect()
                .send("GET /health HTTP/1.1\r\n" + head() + "\r\nGET /health HTTP/1.1\r\n" + head()
                        + "Connection: close\r\n\r\n");
        assertThat(pipelining.readToEnd())
                .as("the first is answered; the second too if it came after that answer, "
                        + "else the connection is closed")
                .startsWith("HTTP/1.1 200 OK")
                .endsWith("\r\n\r\nok\n");
    }

    @Test
    void aBlockedChangeHoldsUpNoReadAndChangesBeyondTheQueueAreRefused() throws Exception {
        start(AdminLimits.withTimeout(SHORT));
        registry.close();
        CompletableFuture<HttpResponse<String>> blocked = sendAsync("POST", "/weight?weight=5");
        registry.awaitHeld();

        assertHealthy();
        assertThat(send("GET", "/metrics").statusCode()).isEqualTo(200);
        assertThat(send("GET", "/plugins").statusCode())
                .as("status reads no state the change holds")
                .isEqualTo(200);
        assertThat(blocked).as("a request being answered has no deadline").isNotDone();

        List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
        for (int i = 0; i < Lanes.CHANGES_QUEUED + 1; i++) {
            waiting.add(sendAsync("POST", "/weight?weight=6"));
        }
        HttpResponse<String> refused =
                (HttpResponse<String>) CompletableFuture.anyOf(waiting.toArray(new CompletableFuture[0]))
                        .get(10, TimeUnit.SECONDS);
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.body())
                .startsWith("8 admin changes are already waiting; changes run one at a time and "
                        + "POST /weight?weight=5 has been running for ")
                .contains("try again when it has finished");
        assertHealthy();

        registry.open();
        assertThat(blocked.get(10, TimeUnit.SECONDS).body()).contains("weight=5");
        for (CompletableFuture<HttpResponse<String>> w : waiting) {
            assertThat(w.get(10, TimeUnit.SECONDS).statusCode()).isIn(200, 503);
        }
        assertThat(waiting.stream().filter(w -> w.join().statusCode() == 200).count())
                .isEqualTo(Lanes.CHANGES_QUEUED);
    }

    @Test
    void atTheCapANewConnectionClosesTheOneWaitingLongest() throws Exception {
        start(AdminLimits.withTimeout(LONG).withMaxConnections(3));
        RawHttp first = connect();
        RawHttp second = connect().send("GET /hea");
        RawHttp third = connect();
        RawHttp fourth = connect();
        assertThat(first.readToEnd()).as("closed for the fourth").isEmpty();

        assertHealthy(); // a fifth connection, kept alive by the client
        assertThat(second.readToEnd()).as("closed for the fifth").isEmpty();
        third.send("GET /health HTTP/1.1\r\n" + head() + "\r\n");
        assertThat(third.readAnswer()).as("the others stay open").endsWith("\r\n\r\nok\n");
        fourth.send("GET /health HTTP/1.1\r\n" + head() + "\r\n");
        assertThat(fourth.readAnswer()).endsWith("\r\n\r\nok\n");
    }

    @Test
    void whenEveryConnectionIsBusyANewOneIsRefused() throws Exception {
        start(AdminLimits.withTimeout(LONG).withMaxConnections(1));
        registry.close();
        RawHttp busy = connect().send("POST /weight?weight=7 HTTP/1.1\r\n" + head() + "Connection: close\r\n\r\n");
        registry.awaitHeld();

        assertThat(connect().readToEnd())
                .startsWith("HTTP/1.1 503 ")
                .endsWith("too many admin connections: all of them are busy with requests; try again shortly\n");
        registry.open();
        assertThat(busy.readToEnd()).startsWith("HTTP/1.1 200 OK").contains("weight=7");
        assertHealthy();
    }

    @Test
    void hundredsOfStalledConnectionsDoNotLockTheOperatorOut() throws Exception {
        start(AdminLimits.withTimeout(LONG));
        for (int i = 0; i < 150; i++) {
            connect().send("GET /health HTTP/1.1\r\n" + head() + "X-Slow: ");
        }
        for (int i = 0; i < 20; i++) {
            try (RawHttp operator = RawHttp.connect(admin.address())) {
                assertThat(operator.send("GET /health HTTP/1.1\r\n" + head() + "Connection: close\r\n\r\n")
                                .readToEnd())
                        .startsWith("HTTP/1.1 200 OK")
                        .endsWith("\r\n\r\nok\n");
            }
        }
        for (RawHttp evicted : sockets.subList(0, 150 - AdminLimits.MAX_CONNECTIONS)) {
            assertThat(evicted.readToEnd())
                    .as("the oldest stalled connections made room for newer ones")
                    .isEmpty();
        }
        RawHttp newest = sockets.get(149).send("1\r\n\r\n");
        assertThat(newest.readAnswer())
                .as("the newest stalled connection was kept")
                .endsWith("\r\n\r\nok\n");
    }
}
