package io.microrpc.kernel.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading the strings and attachments of frame bodies: what the bytes hold, and nothing more. */
class FramesTest {

    private static long allocatedBytes() {
        return ((ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void attachmentsRoundTrip() {
        Map<String, String> attachments = new LinkedHashMap<>();
        attachments.put("trace-id", "abc");
        attachments.put("", "");
        ByteBuf buf = Unpooled.buffer();
        Frames.writeAttachments(buf, attachments);

        assertThat(Frames.readAttachments(buf)).isEqualTo(attachments);
        assertThat(buf.isReadable()).isFalse();
    }

    /**
     * Found by RequestMetadataFuzzTest (seed 20261210, input 87), minimized: a count of 65,535 followed by one
     * attachment of two empty strings sized a map for 131,070 entries, about 1 MiB, from 6 bytes.
     */
    @Test
    void anAttachmentCountTheBodyCannotHoldIsRefusedBeforeAnythingIsSized() {
        byte[] body = {(byte) 0xFF, (byte) 0xFF, 0, 0, 0, 0};
        MalformedFrameException refusal = null;
        for (int round = 0; round < 2; round++) { // the first round loads classes; the second is measured
            ByteBuf buf = Unpooled.wrappedBuffer(body);
            long before = allocatedBytes();
            try {
                Frames.readAttachments(buf);
            } catch (MalformedFrameException e) {
                refusal = e;
            }
            if (round == 1) {
                assertThat(allocatedBytes() - before)
                        .as("bytes allocated reading 6 bytes")
                        .isLessThan(4 * 1024);
            }
        }
        assertThat(refusal).hasMessage("65535 attachments declared, but only 4 bytes left (each takes at least 4)");
    }

    @Test
    void asManyAttachmentsAsTheBytesCanHoldAreRead() {
        ByteBuf buf = Unpooled.buffer();
        buf.writeShort(3);
        buf.writeZero(12); // three attachments of 4 bytes: the empty key with the empty value, three times
        assertThat(Frames.readAttachments(buf)).containsExactly(Map.entry("", ""));
        assertThat(buf.isReadable()).isFalse();
    }
}
