package io.microrpc.kernel.internal.protocol;

/** A frame body that does not follow docs/PROTOCOL.md. Cheap: no stack trace. */
public final class MalformedFrameException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public MalformedFrameException(String message) {
        super(message, null, false, false);
    }
}
