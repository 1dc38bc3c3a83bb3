package io.microrpc.spi;

import java.util.Objects;

/**
 * The outcome of a call, carried on the wire as one byte plus a description. Immutable: the
 * {@code with*} methods return new instances. Modelled on gRPC's status codes, plus
 * {@link Code#APPLICATION_ERROR} for exceptions thrown by service implementations.
 */
public final class Status {

    /** Wire codes. The numeric values are part of the protocol and never change. */
    public enum Code {
        OK(0),
        CANCELLED(1),
        UNKNOWN(2),
        INVALID_ARGUMENT(3),
        DEADLINE_EXCEEDED(4),
        NOT_FOUND(5),
        PERMISSION_DENIED(7),
        RESOURCE_EXHAUSTED(8),
        FAILED_PRECONDITION(9),
        UNIMPLEMENTED(12),
        INTERNAL(13),
        /** Nothing was processed (not connected, or the node is going away): safe to send elsewhere. */
        UNAVAILABLE(14),
        UNAUTHENTICATED(16),
        /** The service implementation threw; never retried. */
        APPLICATION_ERROR(32);

        private static final Code[] BY_VALUE = new Code[64];

        static {
            for (Code c : values()) {
                BY_VALUE[c.value] = c;
            }
        }

        private final int value;

        Code(int value) {
            this.value = value;
        }

        /** The byte that stands for this code on the wire. */
        public int value() {
            return value;
        }

        /** The code for a wire value; {@link #UNKNOWN} for a value this version does not know. */
        public static Code fromValue(int value) {
            Code c = value >= 0 && value < BY_VALUE.length ? BY_VALUE[value] : null;
            return c == null ? UNKNOWN : c;
        }

        public Status toStatus() {
            return Status.of(this);
        }
    }

    public static final Status OK = new Status(Code.OK, null, null);

    private final Code code;
    private final String description;
    private final Throwable cause;

    private Status(Code code, String description, Throwable cause) {
        this.code = Objects.requireNonNull(code, "code");
        this.description = description;
        this.cause = cause;
    }

    public static Status of(Code code) {
        return new Status(code, null, null);
    }

    public Code code() {
        return code;
    }

    /** A message for people: what went wrong and, where known, what to do. May be null. */
    public String description() {
        return description;
    }

    /** A local cause; never sent on the wire. May be null. */
    public Throwable cause() {
        return cause;
    }

    public boolean isOk() {
        return code == Code.OK;
    }

    public Status withDescription(String newDescription) {
        return new Status(code, newDescription, cause);
    }

    public Status withCause(Throwable newCause) {
        return new Status(code, description, newCause);
    }

    /**
     * The exception for a failure with this status that got as far as {@code progress}, which decides
     * whether a cluster policy may retry it elsewhere: say it every time, since a purely local failure
     * (no serializer loaded, no provider reachable) is {@link RpcException.Progress#NOT_SENT} and safe to
     * retry, while an answer from the service is {@link RpcException.Progress#ANSWERED} and never is.
     * Without a stack trace: these are expected failures, often on hot paths, where the trace costs more
     * than it tells; {@link #withCause} keeps the underlying exception's.
     */
    public RpcException asException(RpcException.Progress progress) {
        return new RpcException(this, null, false, Objects.requireNonNull(progress, "progress"));
    }

    @Override
    public String toString() {
        return description == null ? code.name() : code.name() + ": " + description;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Status)) {
            return false;
        }
        Status other = (Status) o;
        return code == other.code
                && Objects.equals(description, other.description)
                && Objects.equals(cause, other.cause);
    }

    @Override
    public int hashCode() {
        return Objects.hash(code, description, cause);
    }
}
