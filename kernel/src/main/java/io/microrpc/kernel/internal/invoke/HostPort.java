package io.microrpc.kernel.internal.invoke;

/** A parsed {@code host:port}. */
public final class HostPort {

    private final String host;
    private final int port;

    private HostPort(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /** Parses {@code host:port} (or {@code [v6]:port}); fails naming the text and the expected form. */
    public static HostPort parse(String text) {
        String s = text.trim();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("address: '" + text + "' (expected: host:port, e.g. 127.0.0.1:7420)");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("address: '" + text + "' (expected: host:port with a numeric port)");
        }
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("address: '" + text + "' (expected: a port in 1-65535)");
        }
        return new HostPort(host, port);
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    @Override
    public String toString() {
        return host + ':' + port;
    }
}
