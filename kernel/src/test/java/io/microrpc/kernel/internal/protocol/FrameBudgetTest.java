package io.microrpc.kernel.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.kernel.testing.NettyLeakCheck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link FrameDecoder} with a {@link FrameLimits}: a large incomplete frame holds its declared size
 * from the budget until it is complete or its connection closes, small frames never wait on it, and
 * a frame the budget cannot hold closes its connection.
 */
@ExtendWith(NettyLeakCheck.class)
class FrameBudgetTest {

    private static final int MAX_FRAME = 1024 * 1024;
    private static final int LARGE = 100 * 1024;

    private final FrameLimits budget = new FrameLimits(LARGE + Protocol.HEADER_LENGTH + 10, null);

    private EmbeddedChannel channel() {
        return new EmbeddedChannel(new FrameDecoder(MAX_FRAME, budget));
    }

    private static ByteBuf header(int bodyLength) {
        ByteBuf buf = Unpooled.buffer(Protocol.HEADER_LENGTH);
        Frames.writeHeader(buf, (byte) 0, (byte) 1, (byte) 0, 7, bodyLength);
        return buf;
    }

    @Test
    void aLargeFrameHoldsItsSizeUntilItIsComplete() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(header(LARGE));
        assertThat(budget.bufferedBytes()).isEqualTo(Protocol.HEADER_LENGTH + LARGE);

        ch.writeInbound(Unpooled.wrappedBuffer(new byte[LARGE]));
        Frame frame = ch.readInbound();
        assertThat(frame.body().readableBytes()).isEqualTo(LARGE);
        frame.release();
        assertThat(budget.bufferedBytes()).isZero();
        ch.finishAndReleaseAll();
    }

    @Test
    void aClosedConnectionGivesBackWhatItsIncompleteFrameHeld() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(header(LARGE));
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[10]));
        assertThat(budget.bufferedBytes()).isPositive();

        ch.close();
        assertThat(budget.bufferedBytes()).isZero();
        ch.finishAndReleaseAll();
    }

    @Test
    void aFrameTheBudgetCannotHoldClosesItsConnectionAndSmallFramesStillPass() {
        EmbeddedChannel first = channel();
        first.writeInbound(header(LARGE));
        EmbeddedChannel second = channel();
        second.writeInbound(header(LARGE));

        assertThat(second.isActive()).as("no room for a second large frame").isFalse();
        assertThat(budget.refused()).isEqualTo(1);
        assertThat(budget.bufferedBytes()).isEqualTo(Protocol.HEADER_LENGTH + LARGE);

        EmbeddedChannel third = channel();
        third.writeInbound(header(FrameDecoder.UNBUDGETED_FRAME - Protocol.HEADER_LENGTH));
        assertThat(third.isActive())
                .as("a small frame never waits on the budget")
                .isTrue();
        third.writeInbound(Unpooled.wrappedBuffer(new byte[FrameDecoder.UNBUDGETED_FRAME - Protocol.HEADER_LENGTH]));
        Frame small = third.readInbound();
        small.release();

        first.close();
        assertThat(budget.bufferedBytes()).isZero();
        for (EmbeddedChannel ch : new EmbeddedChannel[] {first, second, third}) {
            ch.finishAndReleaseAll();
        }
    }
}
