package io.microrpc.bench;

import io.microrpc.demo.api.EchoService;
import io.microrpc.demo.api.UserService;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * A microrpc workload and the raw echo it is compared with.
 *
 * <p>Echo scenarios send a String of {@link #payloadChars} ASCII characters through
 * {@link EchoService#echoAsync}; the matching raw echo carries a body as long as microrpc's request
 * body (metadata + serialized string), see {@link Payloads#rawBodyFor}. {@code getUser} and
 * {@code listUser} have no raw counterpart (the raw echo cannot build a User), so they are compared
 * with the raw echo of the 128-character scenario, as the table says.
 */
enum Scenario {
    ECHO_128("echo-128", Mode.ASYNC, 128, "echoAsync"),
    ECHO_4K("echo-4k", Mode.ASYNC, 4096, "echoAsync"),
    GET_USER("getUser", Mode.THREADS, 128, null),
    LIST_USER("listUser", Mode.THREADS, 128, null),
    /** The same echo from blocking threads, to show what the sync call path costs on top of the async one. */
    ECHO_128_SYNC("echo-128-sync", Mode.THREADS, 128, "echo"),
    ECHO_4K_SYNC("echo-4k-sync", Mode.THREADS, 4096, "echo");

    /**
     * How virtual users call. ASYNC: a user issues its next call from the completion of the previous
     * one, so C users need no thread each (the raw echo is driven the same way). THREADS: one platform
     * thread per user blocking in a synchronous call, for methods the API only offers synchronously.
     */
    enum Mode {
        ASYNC,
        THREADS
    }

    final String label;
    final Mode mode;
    /** Echo: the string's length. Others: the payload size of the raw echo they are compared with. */
    final int payloadChars;
    /** The EchoService method an echo scenario calls; null for UserService scenarios. */
    final String echoMethod;

    Scenario(String label, Mode mode, int payloadChars, String echoMethod) {
        this.label = label;
        this.mode = mode;
        this.payloadChars = payloadChars;
        this.echoMethod = echoMethod;
    }

    /** The service of the wire request, for sizing the matching raw echo. */
    String service() {
        return echoMethod != null ? EchoService.class.getName() : UserService.class.getName();
    }

    /** The echo whose raw counterpart sizes this scenario's baseline: echo-4k for 4k, else echo-128. */
    Scenario baselineEcho() {
        return payloadChars == ECHO_4K.payloadChars ? ECHO_4K : ECHO_128;
    }

    static Scenario parse(String label) {
        for (Scenario s : values()) {
            if (s.label.equalsIgnoreCase(label.trim())) {
                return s;
            }
        }
        throw new IllegalArgumentException("scenario: '" + label + "' (expected one of: "
                + Arrays.stream(values()).map(s -> s.label).collect(Collectors.joining(", ")) + ")");
    }

    @Override
    public String toString() {
        return label;
    }
}
