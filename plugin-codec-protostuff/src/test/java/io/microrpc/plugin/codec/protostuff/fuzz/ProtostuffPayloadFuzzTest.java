package io.microrpc.plugin.codec.protostuff.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.kernel.internal.invoke.PayloadCodecs;
import io.microrpc.kernel.testing.NettyLeakCheck;
import io.microrpc.kernel.testing.fuzz.Fuzz;
import io.microrpc.kernel.testing.fuzz.TrackingAllocator;
import io.microrpc.spi.AllowedTypes;
import io.microrpc.spi.Serializer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Seeded mutation fuzzing of the protostuff codec as the server uses it: a call's arguments read by the
 * kernel's payload codec with the allow-list the kernel computes for {@link FuzzedApi} (the demo's
 * {@code User} alone and in lists, maps, arrays and a generic class, a recursive tree with an
 * {@code Object} field, scalars, enums, JDK value types). Seeds are valid payloads of every method,
 * mutated as bytes, per argument (the value's length prefix kept right), or by putting another class
 * name where the payload names one (a class on the class path but outside the allow-list, a JDK gadget,
 * an allowed class of another shape). Per input:
 * <ul>
 *   <li>nothing but an {@link IOException} escapes (the server answers it with {@code INVALID_ARGUMENT});
 *   <li>no class outside the allow-list is loaded or instantiated: the {@link Canary} classes stay
 *       untouched, and every object reachable from the arguments read is of an allowed class;
 *   <li>what was read can be written back, and reads back to the same bytes (in another order only for hash
 *       sets and maps of arrays, whose hash codes are identities), so an echo of it cannot fail with
 *       {@code INTERNAL};
 *   <li>the heap allocated is bounded by the payload's size, and no buffer is leaked.
 * </ul>
 * Seed and count: see {@link Fuzz}.
 */
@ExtendWith(NettyLeakCheck.class)
class ProtostuffPayloadFuzzTest {

    private static final Serializer SERIALIZER = FuzzedPayloads.SERIALIZER;
    private static final AllowedTypes ALLOWED = FuzzedPayloads.ALLOWED;
    private static final int LEAK_DETECTOR_EVERY = 32;

    private final FuzzedPayloads payloads = new FuzzedPayloads();
    private final TrackingAllocator detected = new TrackingAllocator(ByteBufAllocator.DEFAULT);
    private final TrackingAllocator counted = new TrackingAllocator(new UnpooledByteBufAllocator(false, true));
    private final AllowedGraph graph = new AllowedGraph(ALLOWED);

    @Test
    @Timeout(600)
    void mutatedArgumentsAreReadWithinTheAllowListOrRefusedWithAnIOException() {
        Map<String, Long> outcomes = Fuzz.of(
                        "protostuff-arguments", "plugin-codec-protostuff", "ProtostuffPayloadFuzzTest", 300_000)
                .run(this::oneCall);

        assertThat(Canary.touched()).as("a canary class was touched").isFalse();
        if (outcomes.values().stream().mapToLong(Long::longValue).sum() >= 10_000) {
            assertThat(outcomes)
                    .containsKeys("read", "refused: class not allowed", "refused: malformed", "refused: truncated");
        }
    }

    private void oneCall(Random r, Fuzz.Input input) throws IOException {
        FuzzedPayloads.Seed seed = payloads.seed(r);
        byte[] payload = payloads.mutate(r, seed, payloads.seed(r));
        input.bytes(payload);
        input.note("method", seed.method().getName());
        Class<?>[] types = seed.method().getParameterTypes();

        TrackingAllocator alloc = input.iteration() % LEAK_DETECTOR_EVERY == 0 ? detected : counted;
        alloc.reset();
        ByteBuf buf = alloc.heapBuffer(payload.length).writeBytes(payload);
        input.startAllocationCount();
        Object[] arguments = null;
        try {
            arguments = PayloadCodecs.readArguments(buf, SERIALIZER, types, ALLOWED);
            input.outcome("read");
        } catch (IOException e) {
            input.outcome(refusal(e));
        } finally {
            buf.release();
        }
        // Protostuff's own counts are bounded by the payload's bytes, plus 65,536 for runs of nulls.
        input.checkAllocatedAtMost(2L * 1024 * 1024 + 256L * payload.length, "heap");
        alloc.assertAllReleased("after the call was read");
        if (Canary.touched()) {
            throw new AssertionError("a class outside the allow-list was loaded: " + Canary.touchedBy());
        }
        if (arguments != null) {
            graph.check(arguments, types);
            checkWritesBack(arguments, types);
        }
    }

    /** What a server that echoes the arguments would do: write them, and read them back the same. */
    private static void checkWritesBack(Object[] arguments, Class<?>[] types) {
        byte[] first;
        byte[] second;
        try {
            first = FuzzedPayloads.write(arguments, types);
            second = FuzzedPayloads.write(
                    PayloadCodecs.readArguments(Unpooled.wrappedBuffer(first), SERIALIZER, types, ALLOWED), types);
        } catch (IOException | RuntimeException e) {
            throw new AssertionError("arguments that were read cannot be written back and read again: " + e, e);
        }
        if (!Arrays.equals(first, second) && !sameBytesInAnyOrder(first, second)) {
            throw new AssertionError("arguments written back read again as other values: " + ByteBufUtil.hexDump(first)
                    + " then " + ByteBufUtil.hexDump(second));
        }
    }

    /**
     * A hash set or map of arrays (whose hash codes are their identities) iterates in another order once
     * read again, so it is written in another order: the same bytes, not in the same order.
     */
    private static boolean sameBytesInAnyOrder(byte[] a, byte[] b) {
        byte[] x = a.clone();
        byte[] y = b.clone();
        Arrays.sort(x);
        Arrays.sort(y);
        return Arrays.equals(x, y);
    }

    private static String refusal(IOException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("not an allowed type")) {
            return "refused: class not allowed";
        }
        if (m.contains("truncated")) {
            return "refused: truncated";
        }
        return "refused: malformed";
    }
}
