package io.microrpc.kernel.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.kernel.testing.NettyLeakCheck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link FrameDecoder} on an {@link EmbeddedChannel}: how a byte stream becomes frames, and that
 * anything that is not the protocol closes the connection without passing on a frame or keeping a
 * buffer. Every buffer handed in is checked to be released; every frame read out is released.
 */
@ExtendWith(NettyLeakCheck.class)
class FrameDecoderTest {

    private static final int MAX_FRAME = 1024;

    private final EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(MAX_FRAME));
    private final List<ByteBuf> handedIn = new ArrayList<>();

    @AfterEach
    void releaseEverything() {
        channel.finishAndReleaseAll();
        for (ByteBuf b : handedIn) {
            assertThat(b.refCnt())
                    .as("refCnt of a buffer handed to the decoder")
                    .isZero();
        }
    }

    private static ByteBuf frame(byte flags, byte serializerId, byte status, long id, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ByteBuf buf = Unpooled.buffer();
        Frames.writeHeader(buf, flags, serializerId, status, id, bytes.length);
        buf.writeBytes(bytes);
        return buf;
    }

    private static ByteBuf header(int bodyLength) {
        ByteBuf buf = Unpooled.buffer(Protocol.HEADER_LENGTH);
        Frames.writeHeader(buf, (byte) 0, (byte) 1, (byte) 0, 7, bodyLength);
        return buf;
    }

    /** Hands {@code buf} to the decoder and remembers it, so the test can check it was released. */
    private void write(ByteBuf buf) {
        handedIn.add(buf);
        channel.writeInbound(buf);
    }

    private Frame readFrame() {
        return channel.readInbound();
    }

    private static String bodyOf(Frame f) {
        return f.body().toString(StandardCharsets.UTF_8);
    }

    @Test
    void frameSplitAcrossManySmallWritesDecodesOnce() {
        ByteBuf whole = frame(Protocol.FLAG_ONE_WAY, (byte) 3, (byte) 0, 0x0102030405060708L, "split into tiny pieces");
        byte[] bytes = ByteBufUtil.getBytes(whole);
        whole.release();

        for (int i = 0; i < bytes.length; i += 3) {
            assertThat(readFrame()).as("a frame before its last byte arrived").isNull();
            write(Unpooled.wrappedBuffer(bytes, i, Math.min(3, bytes.length - i)));
        }

        Frame f = readFrame();
        assertThat(f).isNotNull();
        try {
            assertThat(f.isOneWay()).isTrue();
            assertThat(f.isResponse()).isFalse();
            assertThat(f.serializerId()).isEqualTo((byte) 3);
            assertThat(f.requestId()).isEqualTo(0x0102030405060708L);
            assertThat(bodyOf(f)).isEqualTo("split into tiny pieces");
        } finally {
            f.release();
        }
        assertThat(readFrame()).as("a second frame from one frame's bytes").isNull();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void severalFramesInOneBufferDecodeInOrder() {
        ByteBuf buf = Unpooled.buffer();
        for (long id = 1; id <= 3; id++) {
            ByteBuf f = frame(Protocol.FLAG_RESPONSE, (byte) 1, (byte) id, id, "body-" + id);
            buf.writeBytes(f);
            f.release();
        }
        ByteBuf empty = frame(Protocol.FLAG_HEARTBEAT, (byte) 0, (byte) 0, 4, "");
        buf.writeBytes(empty);
        empty.release();
        // And the first half of a fifth frame, which must wait for the rest.
        ByteBuf fifth = frame((byte) 0, (byte) 1, (byte) 0, 5, "fifth");
        byte[] fifthBytes = ByteBufUtil.getBytes(fifth);
        fifth.release();
        buf.writeBytes(fifthBytes, 0, 10);

        write(buf);

        for (long id = 1; id <= 3; id++) {
            Frame f = readFrame();
            assertThat(f).as("frame %s", id).isNotNull();
            try {
                assertThat(f.requestId()).isEqualTo(id);
                assertThat(f.status()).isEqualTo((byte) id);
                assertThat(bodyOf(f)).isEqualTo("body-" + id);
            } finally {
                f.release();
            }
        }
        Frame heartbeat = readFrame();
        assertThat(heartbeat.isHeartbeat()).isTrue();
        assertThat(heartbeat.body().readableBytes()).isZero();
        heartbeat.release();
        assertThat(readFrame()).as("the incomplete fifth frame").isNull();

        write(Unpooled.wrappedBuffer(fifthBytes, 10, fifthBytes.length - 10));
        Frame f = readFrame();
        assertThat(f.requestId()).isEqualTo(5);
        assertThat(bodyOf(f)).isEqualTo("fifth");
        f.release();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void badMagicClosesTheChannelPassesNothingOnAndReleasesTheInput() {
        ByteBuf buf = frame((byte) 0, (byte) 1, (byte) 0, 1, "hello");
        buf.setShort(0, 0x4854); // "HT", as in an HTTP request sent to the wrong port

        write(buf);

        assertThat(channel.isOpen()).isFalse();
        assertThat(readFrame()).isNull();
        assertThat(buf.refCnt()).isZero();
    }

    @Test
    void goodFrameFollowedByBadMagicPassesTheGoodOneThenCloses() {
        ByteBuf buf = frame((byte) 0, (byte) 1, (byte) 0, 1, "good");
        ByteBuf bad = frame((byte) 0, (byte) 1, (byte) 0, 2, "bad");
        bad.setShort(0, 0);
        buf.writeBytes(bad);
        bad.release();

        write(buf);

        Frame good = readFrame();
        assertThat(good.requestId()).isEqualTo(1);
        good.release();
        assertThat(readFrame()).isNull();
        assertThat(channel.isOpen()).isFalse();
        assertThat(buf.refCnt()).isZero();
    }

    @Test
    void unknownVersionClosesTheChannel() {
        ByteBuf buf = frame((byte) 0, (byte) 1, (byte) 0, 1, "from the future");
        buf.setByte(2, Protocol.VERSION + 1);

        write(buf);

        assertThat(channel.isOpen()).isFalse();
        assertThat(readFrame()).isNull();
        assertThat(buf.refCnt()).isZero();
    }

    @Test
    void declaredLengthOverTheMaximumClosesBeforeTheBodyArrives() {
        ByteBuf buf = header(MAX_FRAME - Protocol.HEADER_LENGTH + 1);

        write(buf); // the header alone: the body is never sent

        assertThat(channel.isOpen()).isFalse();
        assertThat(readFrame()).isNull();
        assertThat(buf.refCnt()).isZero();
    }

    @Test
    void declaredLengthOfExactlyTheMaximumWaitsForTheBody() {
        int maxBody = MAX_FRAME - Protocol.HEADER_LENGTH;
        ByteBuf buf = header(maxBody);

        write(buf);

        assertThat(channel.isOpen())
                .as("a frame of exactly protocol.max-frame-size is allowed")
                .isTrue();
        assertThat(readFrame()).isNull();
        write(Unpooled.wrappedBuffer(new byte[maxBody]));
        Frame f = readFrame();
        assertThat(f.body().readableBytes()).isEqualTo(maxBody);
        f.release();
    }

    @Test
    void negativeDeclaredLengthClosesTheChannel() {
        ByteBuf buf = header(-1); // 0xFFFFFFFF: 4 GiB as unsigned

        write(buf);

        assertThat(channel.isOpen()).isFalse();
        assertThat(readFrame()).isNull();
        assertThat(buf.refCnt()).isZero();
    }

    @Test
    void truncatedFrameThenCloseYieldsNoFrameAndKeepsNoBuffer() {
        ByteBuf whole = frame((byte) 0, (byte) 1, (byte) 0, 1, "cut off in the middle");
        ByteBuf firstPart = whole.retainedSlice(0, whole.readableBytes() - 5);
        whole.release();

        write(firstPart);
        assertThat(readFrame()).isNull();
        assertThat(channel.isOpen()).as("a partial frame just waits").isTrue();

        channel.close();

        assertThat(readFrame()).isNull();
        assertThat(firstPart.refCnt()).isZero();
        assertThat(whole.refCnt()).isZero();
    }

    @Test
    void truncatedHeaderThenCloseYieldsNoFrameAndKeepsNoBuffer() {
        ByteBuf partialHeader = header(10).writerIndex(Protocol.HEADER_LENGTH - 1);

        write(partialHeader);
        channel.close();

        assertThat(readFrame()).isNull();
        assertThat(partialHeader.refCnt()).isZero();
    }

    @Test
    void bytesArrivingAfterARejectionAreDiscardedAndReleased() {
        ByteBuf bad = frame((byte) 0, (byte) 1, (byte) 0, 1, "x");
        bad.setShort(0, 0x1234);
        ByteBuf good = frame((byte) 0, (byte) 1, (byte) 0, 2, "y");
        // Deliver both in one read, as a peer that pipelines would: the decoder must not pass the good
        // frame after the bad one.
        ByteBuf both = Unpooled.wrappedBuffer(bad, good);

        write(both);

        assertThat(readFrame()).isNull();
        assertThat(channel.isOpen()).isFalse();
        assertThat(both.refCnt()).isZero();
        assertThat(bad.refCnt()).isZero();
        assertThat(good.refCnt()).isZero();
    }
}
