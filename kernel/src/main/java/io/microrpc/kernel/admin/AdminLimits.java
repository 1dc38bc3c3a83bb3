package io.microrpc.kernel.admin;

import java.time.Duration;

/**
 * The bounds of the admin endpoint. Only the request timeout is a setting ({@code admin.request-timeout});
 * the sizes are far above what any admin request needs (its parameters travel in the query string, its
 * body is never read) and the connection cap far above what operators and scrapers open.
 *
 * @param requestTimeout time a client has to send a whole request (and to take an answer)
 * @param maxConnections connections open at once; at the cap, a new one closes the one that has waited
 *     longest for its client, so stalled connections cannot lock an operator out
 * @param maxRequestLine bytes of {@code METHOD /path?query HTTP/1.1}; beyond: 414
 * @param maxHeaderBytes bytes of all request headers; beyond: 431
 * @param maxBodyBytes bytes of a request body; beyond: 413
 */
record AdminLimits(
        Duration requestTimeout, int maxConnections, int maxRequestLine, int maxHeaderBytes, int maxBodyBytes) {

    static final int MAX_CONNECTIONS = 64;
    static final int MAX_REQUEST_LINE = 4096;
    static final int MAX_HEADER_BYTES = 8192;
    static final int MAX_BODY_BYTES = 16 * 1024;

    static AdminLimits withTimeout(Duration requestTimeout) {
        return new AdminLimits(requestTimeout, MAX_CONNECTIONS, MAX_REQUEST_LINE, MAX_HEADER_BYTES, MAX_BODY_BYTES);
    }

    AdminLimits withMaxConnections(int max) {
        return new AdminLimits(requestTimeout, max, maxRequestLine, maxHeaderBytes, maxBodyBytes);
    }
}
