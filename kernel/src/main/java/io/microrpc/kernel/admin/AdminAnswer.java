package io.microrpc.kernel.admin;

/**
 * What the endpoint answers: a status, a text body and its content type, and what to run once the
 * answer has been written (or failed to be: the client may be gone), e.g. the stop after
 * {@code POST /shutdown}. Immutable.
 */
record AdminAnswer(int status, String body, String contentType, Runnable afterSent) {

    static final String TEXT = "text/plain; charset=utf-8";

    static AdminAnswer text(int status, String body) {
        return new AdminAnswer(status, body, TEXT, null);
    }

    AdminAnswer then(Runnable action) {
        return new AdminAnswer(status, body, contentType, action);
    }
}
