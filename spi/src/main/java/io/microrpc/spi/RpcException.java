package io.microrpc.spi;

import java.util.Objects;

/**
 * The one exception a caller sees when a call fails. {@link #status()} says what kind of failure it
 * was; for {@link Status.Code#APPLICATION_ERROR} {@link #remoteType()} names the class of the
 * exception the server's implementation threw, and the message carries its message.
 * {@link #progress()} says how far the call got, which decides whether it may be tried again elsewhere.
 */
public final class RpcException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * How far a failed call got. A cluster policy may send a {@link #NOT_SENT} or {@link #REFUSED} call
     * to another provider whatever the method; a {@link #LOST} one only if the method is
     * {@link Idempotent}, since it may have run; an {@link #ANSWERED} one never.
     */
    public enum Progress {
        /** It never left this process (no connection, no provider, could not be encoded). */
        NOT_SENT,
        /** The server did not run it and said so (saturated, going away, rate-limited, unknown method). */
        REFUSED,
        /** It was sent and no answer came (connection lost, deadline passed): it may or may not have run. */
        LOST,
        /** The server ran it, or decided about it, and answered with this failure. */
        ANSWERED
    }

    private final transient Status status;
    private final String remoteType;
    private final Progress progress;

    RpcException(Status status, String remoteType, boolean writableStackTrace, Progress progress) {
        super(status.toString(), status.cause(), false, writableStackTrace);
        this.status = status;
        this.remoteType = remoteType;
        this.progress = progress;
    }

    /**
     * The exception for a business exception thrown on the server: status
     * {@link Status.Code#APPLICATION_ERROR}, the remote exception's class name and message.
     */
    public static RpcException remote(String remoteType, String remoteMessage) {
        Objects.requireNonNull(remoteType, "remoteType");
        Status status = Status.of(Status.Code.APPLICATION_ERROR)
                .withDescription(remoteType + (remoteMessage == null ? "" : ": " + remoteMessage));
        return new RpcException(status, remoteType, true, Progress.ANSWERED);
    }

    public Status status() {
        return status;
    }

    public Status.Code code() {
        return status.code();
    }

    /** How far the call got; {@link Progress#ANSWERED} unless whoever failed it said otherwise. */
    public Progress progress() {
        return progress;
    }

    /** The same failure, saying the call got as far as {@code newProgress}. */
    public RpcException withProgress(Progress newProgress) {
        Objects.requireNonNull(newProgress, "newProgress");
        return newProgress == progress ? this : new RpcException(status, remoteType, false, newProgress);
    }

    /** The class name of the exception the remote implementation threw, or null. */
    public String remoteType() {
        return remoteType;
    }

    /** Unwraps {@code t} (and its causes) to an {@link RpcException}, or returns null. */
    public static RpcException find(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof RpcException) {
                return (RpcException) c;
            }
        }
        return null;
    }
}
