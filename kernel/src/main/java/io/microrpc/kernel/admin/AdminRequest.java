package io.microrpc.kernel.admin;

/**
 * One admin request as the routes see it, copied out of the HTTP message on the event loop so no
 * Netty buffer outlives the read: the method, the decoded path, the raw query (null when there is
 * none). Who sent it was checked before ({@link AdminGuard}); the body is never used.
 */
record AdminRequest(String method, String path, String rawQuery) {

    /** {@code METHOD /path?query}, for log lines. */
    String line() {
        return method + ' ' + path + (rawQuery == null ? "" : "?" + rawQuery);
    }
}
