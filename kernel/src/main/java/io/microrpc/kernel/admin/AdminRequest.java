package io.microrpc.kernel.admin;

/**
 * One admin request as the routes see it, copied out of the HTTP message on the event loop so no
 * Netty buffer outlives the read: the method, the decoded path, the raw query (null when there is
 * none) and whether a browser sent it ({@code Origin} header). The body is never used.
 */
record AdminRequest(String method, String path, String rawQuery, boolean fromWebPage) {

    /** {@code METHOD /path?query}, for log lines. */
    String line() {
        return method + ' ' + path + (rawQuery == null ? "" : "?" + rawQuery);
    }
}
