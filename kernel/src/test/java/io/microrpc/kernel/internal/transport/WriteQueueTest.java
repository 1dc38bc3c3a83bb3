package io.microrpc.kernel.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.kernel.testing.NettyLeakCheck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.local.LocalChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link WriteQueue}: frames are written in order, and every frame it cannot write is released. */
@ExtendWith(NettyLeakCheck.class)
class WriteQueueTest {

    private static ByteBuf frame(int n) {
        return Unpooled.buffer(4).writeInt(n);
    }

    @Test
    void framesAreWrittenInOrderAndFlushed() {
        EmbeddedChannel channel = new EmbeddedChannel();
        WriteQueue queue = new WriteQueue(channel);
        for (int i = 0; i < 300; i++) {
            queue.enqueue(frame(i));
        }
        channel.runPendingTasks();

        for (int i = 0; i < 300; i++) {
            ByteBuf out = channel.readOutbound();
            assertThat(out).as("frame %s", i).isNotNull();
            assertThat(out.readInt()).isEqualTo(i);
            out.release();
        }
        assertThat(channel.outboundMessages()).isEmpty();
        channel.finishAndReleaseAll();
    }

    @Test
    void framesQueuedForAClosedChannelAreReleased() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.close();
        WriteQueue queue = new WriteQueue(channel);
        ByteBuf f = frame(1);

        queue.enqueue(f);
        channel.runPendingTasks();

        assertThat(f.refCnt()).isZero();
        assertThat(channel.outboundMessages()).isEmpty();
    }

    @Test
    void framesQueuedAfterTheEventLoopShutDownAreReleasedNotLeaked() throws Exception {
        EventLoopGroup group = new DefaultEventLoopGroup(1);
        LocalChannel channel = new LocalChannel();
        group.register(channel).sync();
        channel.close().sync();
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        WriteQueue queue = new WriteQueue(channel);
        List<ByteBuf> frames = new ArrayList<>();

        for (int i = 0; i < 3; i++) {
            ByteBuf f = frame(i);
            frames.add(f);
            queue.enqueue(f); // as a worker answering a call after the kernel closed the transport
        }

        assertThat(frames).allSatisfy(f -> assertThat(f.refCnt()).isZero());
    }
}
