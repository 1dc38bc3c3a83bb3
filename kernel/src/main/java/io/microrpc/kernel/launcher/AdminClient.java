package io.microrpc.kernel.launcher;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;

/**
 * Talks to the admin endpoint of a running kernel for the {@code status}, {@code switch}, {@code weight}
 * and {@code stop} commands, sending the admin token with every request.
 */
final class AdminClient {

    /**
     * The {@code Authorization} header value to send and where its token came from (for messages; the
     * token itself is never printed).
     */
    record Credentials(String authorization, String source) {
        @Override
        public String toString() {
            return "Credentials[" + source + "]";
        }
    }

    private final String base;
    private final Credentials credentials;
    private final HttpClient http;

    AdminClient(String hostPort, Credentials credentials) {
        this(hostPort, credentials, null);
    }

    /** A client of {@code hostPort}; over HTTPS with {@code tls} when it is not null. */
    AdminClient(String hostPort, Credentials credentials, SSLContext tls) {
        this.base = (tls == null ? "http://" : "https://") + hostPort;
        this.credentials = credentials;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3));
        if (tls != null) {
            b.sslContext(tls);
        }
        this.http = b.build();
    }

    /** Whether the endpoint still answers (any answer); false once nothing listens any more. */
    boolean answers() throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/health"))
                .header("Authorization", credentials.authorization())
                .timeout(Duration.ofSeconds(5))
                .GET()
                .build();
        try {
            http.send(request, HttpResponse.BodyHandlers.discarding());
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Sends the request; returns the body, or throws with the server's message on a non-200 answer. */
    String call(String method, String path, Map<String, String> query) throws IOException, InterruptedException {
        String q = query.entrySet().stream()
                .filter(e -> e.getValue() != null)
                .map(e -> e.getKey() + '=' + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path + (q.isEmpty() ? "" : "?" + q)))
                .header("Authorization", credentials.authorization())
                .timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new IOException("no admin endpoint at " + base + ": is a kernel running (`microrpc serve` or `demo`) "
                    + "with admin.port set? Pass --admin host:port if it listens elsewhere");
        }
        if (response.statusCode() == 401) {
            throw new IllegalArgumentException("the admin endpoint at " + base + " refused the token of "
                    + credentials.source() + ": " + response.body().trim()
                    + " For a kernel of another installation, pass --admin-token-file FILE or set "
                    + AdminOptions.TOKEN_ENV + ".");
        }
        if (response.statusCode() != 200) {
            throw new IllegalArgumentException(response.body().trim());
        }
        return response.body();
    }
}
