package io.microrpc.kernel.admin;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the endpoint answers: a status, a text body and its content type, headers of its own (such as
 * {@code Allow} with a {@code 405}), and what to run once the answer has been written (or failed to be:
 * the client may be gone), e.g. the stop after {@code POST /shutdown}. Immutable.
 */
record AdminAnswer(int status, String body, String contentType, Map<String, String> headers, Runnable afterSent) {

    static final String TEXT = "text/plain; charset=utf-8";

    AdminAnswer {
        headers = Map.copyOf(headers);
    }

    AdminAnswer(int status, String body, String contentType, Runnable afterSent) {
        this(status, body, contentType, Map.of(), afterSent);
    }

    static AdminAnswer text(int status, String body) {
        return new AdminAnswer(status, body, TEXT, null);
    }

    AdminAnswer then(Runnable action) {
        return new AdminAnswer(status, body, contentType, headers, action);
    }

    AdminAnswer withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new AdminAnswer(status, body, contentType, more, afterSent);
    }
}
