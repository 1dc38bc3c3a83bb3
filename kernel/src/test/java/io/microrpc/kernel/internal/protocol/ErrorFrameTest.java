package io.microrpc.kernel.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.spi.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/** {@link Frames#error}: an error response stays small whatever the exception's message. */
class ErrorFrameTest {

    @Test
    void aHugeMessageIsCutBeforeAnythingIsAllocatedForIt() {
        String huge = "x".repeat(7 * 1024 * 1024);
        ByteBuf frame = Frames.error(
                UnpooledByteBufAllocator.DEFAULT,
                5,
                (byte) 1,
                Status.of(Status.Code.APPLICATION_ERROR).withDescription(huge),
                "java.lang.IllegalStateException");
        try {
            assertThat(frame.capacity()).as("buffer capacity").isLessThanOrEqualTo(64 * 1024);
            frame.skipBytes(Protocol.HEADER_LENGTH);
            assertThat(Frames.readString(frame)).isEqualTo("java.lang.IllegalStateException");
            assertThat(Frames.readString(frame)).startsWith("xxx").hasSizeLessThanOrEqualTo(4096 + 64);
        } finally {
            frame.release();
        }
    }
}
