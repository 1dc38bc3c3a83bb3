package io.microrpc.kernel.admin;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Who may use the admin endpoint, checked on each request's head before it is routed, in this order:
 * <ol>
 *   <li>the {@code Host} header names the address the endpoint is bound to (else {@code 421}): a web page
 *       whose name was rebound to 127.0.0.1 (DNS rebinding) sends its own name, and is refused before it
 *       learns anything, even that a token is needed;</li>
 *   <li>no {@code Origin} header (else {@code 403}): browsers send one with every cross-site request;</li>
 *   <li>{@code Authorization: Bearer <token>} with the installation's {@link AdminToken} (else {@code 401}),
 *       which a web page can neither read nor make a browser send: no form, no {@code text/plain}
 *       request, can reach a route.</li>
 * </ol>
 * Immutable, thread-safe.
 */
final class AdminGuard {

    private final Set<String> hosts;
    private final AdminToken token;

    /**
     * {@code host}: {@code admin.host} as configured; {@code loopback}: whether the endpoint listens on
     * loopback (a loopback or wildcard address), so that {@code 127.0.0.1}, {@code localhost} and
     * {@code [::1]} are accepted too.
     */
    AdminGuard(String host, boolean loopback, AdminToken token) {
        Set<String> names = new HashSet<>();
        names.add(authority(host));
        if (loopback) {
            names.addAll(List.of("127.0.0.1", "localhost", "[::1]"));
        }
        this.hosts = Set.copyOf(names);
        this.token = token;
    }

    /** What to answer instead of routing {@code request}, which reached the endpoint on {@code port}; null: route it. */
    AdminAnswer refusal(HttpRequest request, int port) {
        List<String> host = request.headers().getAll(HttpHeaderNames.HOST);
        if (host.size() != 1 || !accepts(host.get(0), port)) {
            return AdminAnswer.text(
                    421,
                    "Host: '" + String.join(", ", host) + "' is not this endpoint (expected: one of "
                            + String.join(", ", expected(port)) + "; requests for other names are refused, so"
                            + " a web page cannot reach the endpoint by rebinding its name to this address)\n");
        }
        if (request.headers().contains(HttpHeaderNames.ORIGIN)) {
            return AdminAnswer.text(403, "requests from web pages (with an Origin header) are refused\n");
        }
        if (!token.matches(bearer(request.headers().get(HttpHeaderNames.AUTHORIZATION)))) {
            return AdminAnswer.text(
                            401,
                            "missing or wrong admin token (expected: header 'Authorization: Bearer <token>' with"
                                    + " the token in " + token.file() + ", readable by the kernel's user only;"
                                    + " bin/microrpc status, switch, weight and stop send it)\n")
                    .withHeader("WWW-Authenticate", "Bearer");
        }
        return null;
    }

    private boolean accepts(String value, int port) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        String name = v;
        int colon = v.lastIndexOf(':');
        if (colon > v.lastIndexOf(']')) { // a port follows: it must be ours
            if (!v.substring(colon + 1).equals(Integer.toString(port))) {
                return false;
            }
            name = v.substring(0, colon);
        }
        return hosts.contains(name);
    }

    private List<String> expected(int port) {
        return hosts.stream().sorted().map(h -> h + ":" + port).toList();
    }

    private static String bearer(String authorization) {
        if (authorization == null || authorization.length() < 7) {
            return null;
        }
        return authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim()
                : null;
    }

    /** {@code host} as it appears in a Host header: lower case, an IPv6 literal in brackets. */
    private static String authority(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.contains(":") && !h.startsWith("[") ? "[" + h + "]" : h;
    }
}
