package io.microrpc.kernel.internal.protocol;

/** A frame we were about to send is larger than protocol.max-frame-size. */
public final class FrameTooLargeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public FrameTooLargeException(int frameLength, int maxFrameSize) {
        super(
                "frame of " + frameLength + " bytes exceeds protocol.max-frame-size " + maxFrameSize
                        + " (send less per call, or raise protocol.max-frame-size on both sides)",
                null,
                false,
                false);
    }
}
