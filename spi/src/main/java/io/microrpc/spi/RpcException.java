package io.microrpc.spi;

import java.util.Objects;

/**
 * The one exception a caller sees when a call fails. {@link #status()} says what kind of failure it
 * was; for {@link Status.Code#APPLICATION_ERROR} {@link #remoteType()} names the class of the
 * exception the server's implementation threw, and the message carries its message.
 */
public final class RpcException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Status status;
    private final String remoteType;

    RpcException(Status status, String remoteType, boolean writableStackTrace) {
        super(status.toString(), status.cause(), false, writableStackTrace);
        this.status = status;
        this.remoteType = remoteType;
    }

    /**
     * The exception for a business exception thrown on the server: status
     * {@link Status.Code#APPLICATION_ERROR}, the remote exception's class name and message.
     */
    public static RpcException remote(String remoteType, String remoteMessage) {
        Objects.requireNonNull(remoteType, "remoteType");
        Status status = Status.of(Status.Code.APPLICATION_ERROR)
                .withDescription(remoteType + (remoteMessage == null ? "" : ": " + remoteMessage));
        return new RpcException(status, remoteType, true);
    }

    public Status status() {
        return status;
    }

    public Status.Code code() {
        return status.code();
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
