package io.microrpc.kernel.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.kernel.testing.fuzz.Fuzz;
import io.microrpc.kernel.testing.fuzz.Mutator;
import io.microrpc.kernel.testing.fuzz.StderrLines;
import io.microrpc.kernel.testing.fuzz.TrackingAllocator;
import io.microrpc.kernel.testing.fuzz.ValidFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded mutation fuzzing of {@link FrameDecoder} on an {@link EmbeddedChannel}: streams of valid frames
 * (every kind the protocol has), mutated, cut into random reads. Per input:
 * <ul>
 *   <li>no exception escapes the decoder;
 *   <li>it passes on exactly the frames a reference reading of docs/PROTOCOL.md finds, header and body
 *       byte for byte, whatever the cuts; it closes the connection exactly when that reading meets a bad
 *       magic, an unknown version or a length outside 0..max-frame-size, and passes nothing after;
 *   <li>every buffer allocated for the input, by the test or the channel, is released once the
 *       connection closed (and Netty's paranoid leak detector runs on all of them);
 *   <li>no buffer larger than the bytes that arrived is allocated, whatever length a header declares;
 *   <li>at most one log line per connection.
 * </ul>
 * Seed and count: see {@link Fuzz}.
 */
class FrameDecoderFuzzTest {

    private static final int DEFAULT_MAX_FRAME = 8 * 1024 * 1024;
    private static final Mutator MUTATOR = Mutator.of(4096, List.of("MR", "\u0001"));

    /**
     * Netty's paranoid leak detector records a stack trace at every access of every buffer, which makes an
     * input cost milliseconds; so it watches one input in {@value #LEAK_DETECTOR_EVERY}, and the others are
     * checked exactly (every buffer's refCnt) on buffers without it.
     */
    private static final int LEAK_DETECTOR_EVERY = 32;

    private final TrackingAllocator detected = new TrackingAllocator(ByteBufAllocator.DEFAULT);
    private final TrackingAllocator counted = new TrackingAllocator(new UnpooledByteBufAllocator(true, true));
    private TrackingAllocator alloc;
    private StderrLines log;

    @Test
    @Timeout(600)
    void mutatedStreamsAreSplitAsTheProtocolSaysOrCloseTheConnection() {
        Map<String, Long> outcomes;
        try (StderrLines log = StderrLines.capture()) {
            this.log = log;
            outcomes = Fuzz.of("frame-decoder", "kernel", "FrameDecoderFuzzTest", 350_000)
                    .run(this::oneStream);
        }

        if (outcomes.values().stream().mapToLong(Long::longValue).sum() >= 10_000) {
            // The mutations reach every path, not only the first check.
            assertThat(outcomes)
                    .containsKeys(
                            "frames, then waiting",
                            "frames, then closed",
                            "bad magic",
                            "bad version",
                            "bad length",
                            "valid, unmutated");
        }
    }

    private void oneStream(Random r, Fuzz.Input input) {
        alloc = input.iteration() % LEAK_DETECTOR_EVERY == 0 ? detected : counted;
        alloc.reset();
        input.startAllocationCount();
        int maxFrame = r.nextBoolean() ? DEFAULT_MAX_FRAME : Protocol.HEADER_LENGTH + r.nextInt(600);
        Mutator.Seed seed = ValidFrames.stream(r, alloc);
        boolean mutate = r.nextInt(8) != 0;
        byte[] stream =
                mutate ? MUTATOR.mutate(r, seed, ValidFrames.stream(r, alloc).bytes()) : seed.bytes();
        int[] pieces = Mutator.splits(r, stream.length, 8);
        input.bytes(stream);
        input.note("max frame size", maxFrame);
        input.note(
                "reads",
                Arrays.stream(pieces).allMatch(p -> p == 1)
                        ? pieces.length + " of one byte each"
                        : Arrays.toString(pieces));

        Expected expected = Expected.of(stream, maxFrame);
        input.outcome(mutate ? expected.outcome() : "valid, unmutated");

        long linesBefore = log.lines();
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAllocator(alloc);
        channel.pipeline().addLast(new FrameDecoder(maxFrame));
        List<Frame> frames = new ArrayList<>();
        try {
            int offset = 0;
            for (int length : pieces) {
                if (!channel.isOpen()) {
                    break; // a closed socket delivers nothing more
                }
                channel.writeInbound(piece(r, stream, offset, length));
                offset += length;
                for (Frame f; (f = channel.readInbound()) != null; ) {
                    frames.add(f);
                }
            }
            boolean openAfterInput = channel.isOpen();
            channel.finish();
            for (Frame f; (f = channel.readInbound()) != null; ) {
                frames.add(f);
            }

            check(
                    frames.size() == expected.frames.size(),
                    "passed on %s frames (expected: %s)",
                    frames.size(),
                    expected.frames.size());
            for (int i = 0; i < frames.size(); i++) {
                expected.frames.get(i).checkSameAs(frames.get(i), i);
            }
            check(
                    openAfterInput != expected.rejected,
                    "connection %s after the input (expected: %s)",
                    openAfterInput ? "open" : "closed",
                    expected.rejected ? "closed by a rejection" : "open");
            check(
                    log.lines() - linesBefore <= 1,
                    "%s log lines for one connection (expected: at most 1; the last: %s)",
                    log.lines() - linesBefore,
                    log.lastLine());
        } finally {
            frames.forEach(Frame::release);
            channel.finishAndReleaseAll();
        }
        alloc.assertAllReleased("after the connection closed");
        check(
                alloc.largestRequest() <= 2 * stream.length + 4096,
                "a buffer of %s bytes asked for (expected: at most" + " twice the %s bytes that arrived)",
                alloc.largestRequest(),
                stream.length);
        // Netty's paranoid leak detector records a stack trace per buffer access: a few KiB per read.
        input.checkAllocatedAtMost(1024 * 1024 + 64 * 1024L * pieces.length, "heap");
    }

    /** Plain checks on the hot path: AssertJ's descriptions cost more than the decoder does. */
    @SuppressWarnings("AnnotateFormatMethod") // @FormatMethod would need error_prone_annotations on the class path
    static void check(boolean condition, String format, Object... args) {
        if (!condition) {
            throw new AssertionError(String.format(format, args));
        }
    }

    /** One read's bytes in a heap, direct or composite buffer (the decoder sees all three from Netty). */
    private ByteBuf piece(Random r, byte[] stream, int offset, int length) {
        switch (r.nextInt(4)) {
            case 0:
                return alloc.directBuffer(length).writeBytes(stream, offset, length);
            case 1: {
                if (length < 2) {
                    return alloc.heapBuffer(length).writeBytes(stream, offset, length);
                }
                int half = length / 2;
                CompositeByteBuf c = alloc.compositeBuffer();
                c.addComponent(true, alloc.heapBuffer(half).writeBytes(stream, offset, half));
                c.addComponent(
                        true, alloc.directBuffer(length - half).writeBytes(stream, offset + half, length - half));
                return c;
            }
            default:
                return alloc.heapBuffer(length).writeBytes(stream, offset, length);
        }
    }

    /** What docs/PROTOCOL.md says a receiver makes of a whole stream, read naively from one array. */
    private static final class Expected {

        final List<ExpectedFrame> frames = new ArrayList<>();
        boolean rejected;
        String reason = "";
        boolean waiting;

        static Expected of(byte[] stream, int maxFrame) {
            Expected e = new Expected();
            ByteBuffer b = ByteBuffer.wrap(stream);
            while (b.remaining() >= Protocol.HEADER_LENGTH) {
                int start = b.position();
                if (b.getShort(start) != Protocol.MAGIC) {
                    e.reject("bad magic");
                    return e;
                }
                if (b.get(start + 2) != Protocol.VERSION) {
                    e.reject("bad version");
                    return e;
                }
                long length = b.getInt(start + Protocol.BODY_LENGTH_OFFSET);
                if (length < 0 || length + Protocol.HEADER_LENGTH > maxFrame) {
                    e.reject("bad length");
                    return e;
                }
                if (b.remaining() < Protocol.HEADER_LENGTH + length) {
                    break;
                }
                byte[] body = Arrays.copyOfRange(
                        stream, start + Protocol.HEADER_LENGTH, start + Protocol.HEADER_LENGTH + (int) length);
                e.frames.add(new ExpectedFrame(
                        b.get(start + 3), b.get(start + 4), b.get(start + 5), b.getLong(start + 6), body));
                b.position(start + Protocol.HEADER_LENGTH + (int) length);
            }
            e.waiting = b.hasRemaining();
            return e;
        }

        private void reject(String why) {
            rejected = true;
            reason = why;
        }

        String outcome() {
            if (rejected) {
                return frames.isEmpty() ? reason : "frames, then closed";
            }
            return waiting ? "frames, then waiting" : "frames only";
        }
    }

    @SuppressWarnings("ArrayRecordComponent") // never compared as a whole; checks read the fields
    private record ExpectedFrame(byte flags, byte serializerId, byte status, long requestId, byte[] body) {

        void checkSameAs(Frame f, int index) {
            check(
                    f.flags() == flags
                            && f.serializerId() == serializerId
                            && f.status() == status
                            && f.requestId() == requestId,
                    "frame %s: %s (expected: flags=%s, serializer=%s, status=%s, id=%s)",
                    index,
                    f,
                    flags,
                    serializerId,
                    status,
                    requestId);
            byte[] actual = new byte[f.body().readableBytes()];
            f.body().getBytes(f.body().readerIndex(), actual);
            check(
                    Arrays.equals(actual, body),
                    "frame %s: body %s (expected: %s)",
                    index,
                    ByteBufUtil.hexDump(actual),
                    ByteBufUtil.hexDump(body));
        }
    }
}
