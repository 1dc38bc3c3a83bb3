package io.microrpc.kernel.internal.invoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class PayloadInputStreamTest {

    @Test
    void readNBytesCopiesWhatIsThereAndNeverMore() throws Exception {
        PayloadInputStream in = new PayloadInputStream(Unpooled.wrappedBuffer(new byte[] {1, 2, 3, 4, 5}));
        assertThat(in.read()).isEqualTo(1);
        assertThat(in.readNBytes(2)).containsExactly(2, 3);
        assertThat(in.readNBytes(Integer.MAX_VALUE))
                .as("a lying length gets what is there")
                .containsExactly(4, 5);
        assertThat(in.readNBytes(3)).isEmpty();
        assertThat(in.read()).isEqualTo(-1);
        assertThatThrownBy(() -> in.readNBytes(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("len: -1 (expected: >= 0)");
    }

    @Test
    void readAllBytesReadsTheRest() throws Exception {
        PayloadInputStream in = new PayloadInputStream(Unpooled.wrappedBuffer(new byte[] {7, 8, 9}));
        in.skip(1);
        assertThat(in.readAllBytes()).containsExactly(8, 9);
        assertThat(in.available()).isZero();
    }
}
