package io.microrpc.plugin.codec.protostuff.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.kernel.internal.invoke.PayloadCodecs;
import io.microrpc.kernel.testing.NettyLeakCheck;
import io.microrpc.kernel.testing.fuzz.Fuzz;
import io.microrpc.kernel.testing.fuzz.Mutator;
import io.microrpc.kernel.testing.fuzz.TrackingAllocator;
import io.microrpc.plugin.codec.protostuff.ProtostuffSerializer;
import io.microrpc.spi.AllowedTypes;
import io.microrpc.spi.Serializer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
 *   <li>what was read can be written back, and reads back to the same bytes (an echo of it cannot fail
 *       with {@code INTERNAL});
 *   <li>the heap allocated is bounded by the payload's size, and no buffer is leaked.
 * </ul>
 * Seed and count: see {@link Fuzz}.
 */
@ExtendWith(NettyLeakCheck.class)
class ProtostuffPayloadFuzzTest {

    private static final Serializer SERIALIZER = new ProtostuffSerializer();
    private static final AllowedTypes ALLOWED = PayloadCodecs.allowedTypes(FuzzedApi.class);
    private static final int SEEDS_PER_METHOD = 24;
    private static final int LEAK_DETECTOR_EVERY = 32;

    /** Names payloads carry: the allowed classes, and protostuff's short ids of JDK collections. */
    private static final List<String> NAMED = names();
    /** Names to put in their place. */
    private static final List<String> SUBSTITUTES = substitutes();
    private static final Mutator MUTATOR = Mutator.of(4096, substitutesAndTags());

    private final List<Seed> corpus = corpus();
    private final TrackingAllocator detected = new TrackingAllocator(ByteBufAllocator.DEFAULT);
    private final TrackingAllocator counted = new TrackingAllocator(new UnpooledByteBufAllocator(false, true));
    private final AllowedGraph graph = new AllowedGraph(ALLOWED);

    /** A valid payload of {@code method}'s arguments, and each argument's encoding on its own. */
    private record Seed(Method method, List<byte[]> arguments, byte[] bytes) {}

    @Test
    @Timeout(600)
    void mutatedArgumentsAreReadWithinTheAllowListOrRefusedWithAnIOException() {
        Map<String, Long> outcomes = Fuzz.of("protostuff-arguments", "ProtostuffPayloadFuzzTest", 250_000).run(this::oneCall);

        assertThat(Canary.touched()).as("a canary class was touched").isFalse();
        if (outcomes.values().stream().mapToLong(Long::longValue).sum() >= 10_000) {
            assertThat(outcomes).containsKeys("read", "refused: class not allowed", "refused: malformed", "refused: truncated");
        }
    }

    private void oneCall(Random r, Fuzz.Input input) throws IOException {
        Seed seed = corpus.get(r.nextInt(corpus.size()));
        Seed other = corpus.get(r.nextInt(corpus.size()));
        byte[] payload = mutate(r, seed, other);
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
            first = write(arguments, types);
            second = write(PayloadCodecs.readArguments(Unpooled.wrappedBuffer(first), SERIALIZER, types, ALLOWED), types);
        } catch (IOException | RuntimeException e) {
            throw new AssertionError("arguments that were read cannot be written back and read again: " + e, e);
        }
        if (!Arrays.equals(first, second)) {
            throw new AssertionError("arguments written back read again as other values: " + ByteBufUtil.hexDump(first)
                    + " then " + ByteBufUtil.hexDump(second));
        }
    }

    private static byte[] write(Object[] arguments, Class<?>[] types) throws IOException {
        ByteBuf out = Unpooled.buffer();
        PayloadCodecs.writeArguments(out, SERIALIZER, arguments, types);
        return ByteBufUtil.getBytes(out);
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

    // ---- mutation

    private static byte[] mutate(Random r, Seed seed, Seed other) {
        switch (r.nextInt(8)) {
            case 0:
                return seed.bytes(); // valid: must read, and write back
            case 1:
            case 2:
                return MUTATOR.mutate(r, new Mutator.Seed(seed.bytes(), List.of(new Mutator.Field(0, Mutator.Encoding.VARINT))),
                        other.bytes());
            case 3:
            case 4: {
                // Another class name where the payload names one, its length kept right, then maybe more.
                List<byte[]> arguments = new ArrayList<>(seed.arguments());
                int i = r.nextInt(arguments.size());
                arguments.set(i, substituteName(r, arguments.get(i)));
                if (r.nextBoolean()) {
                    arguments.set(i, MUTATOR.mutate(r, new Mutator.Seed(orEmpty(arguments.get(i))), null));
                }
                return frame(arguments);
            }
            default: {
                // One argument mutated, every value's length prefix right: the bytes reach protostuff.
                List<byte[]> arguments = new ArrayList<>(seed.arguments());
                int i = r.nextInt(arguments.size());
                byte[] otherArgument = other.arguments().get(r.nextInt(other.arguments().size()));
                arguments.set(i, MUTATOR.mutate(r, new Mutator.Seed(orEmpty(arguments.get(i))), otherArgument));
                return frame(arguments);
            }
        }
    }

    /** A null value's body (it has none) as no bytes, to mutate. */
    private static byte[] orEmpty(byte[] body) {
        return body == null ? new byte[0] : body;
    }

    /** Replaces one class name (a protostuff string: varint length, then the name) with a substitute. */
    private static byte[] substituteName(Random r, byte[] body) {
        if (body == null) {
            return null;
        }
        List<int[]> found = new ArrayList<>(); // {offset of the length byte, name length}
        for (String name : NAMED) {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            for (int at = indexOf(body, n, 1); at >= 0; at = indexOf(body, n, at + 1)) {
                if (body[at - 1] == n.length) {
                    found.add(new int[] {at - 1, n.length});
                }
            }
        }
        if (found.isEmpty()) {
            return body;
        }
        int[] hit = found.get(r.nextInt(found.size()));
        byte[] substitute = SUBSTITUTES.get(r.nextInt(SUBSTITUTES.size())).getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[body.length - hit[1] + substitute.length];
        System.arraycopy(body, 0, out, 0, hit[0]);
        out[hit[0]] = (byte) substitute.length;
        System.arraycopy(substitute, 0, out, hit[0] + 1, substitute.length);
        System.arraycopy(body, hit[0] + 1 + hit[1], out, hit[0] + 1 + substitute.length, body.length - hit[0] - 1 - hit[1]);
        return out;
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = Math.max(from, 0); i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    // ---- seeds

    /** Values, each with its length prefix as the codec writes it (varint of length + 1). */
    private static byte[] frame(List<byte[]> arguments) {
        ByteBuf out = Unpooled.buffer();
        for (byte[] a : arguments) {
            if (a == null) {
                out.writeByte(0);
                continue;
            }
            int v = a.length + 1;
            while ((v & ~0x7F) != 0) {
                out.writeByte((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            out.writeByte(v);
            out.writeBytes(a);
        }
        return ByteBufUtil.getBytes(out);
    }

    private static List<Seed> corpus() {
        Random r = new Random(Long.getLong("microrpc.fuzz.seed", Fuzz.DEFAULT_SEED));
        List<Seed> seeds = new ArrayList<>();
        try {
            for (Method m : FuzzedValues.METHODS) {
                for (int i = 0; i < SEEDS_PER_METHOD; i++) {
                    Object[] args = FuzzedValues.arguments(r, m);
                    List<byte[]> encoded = new ArrayList<>();
                    for (int a = 0; a < args.length; a++) {
                        encoded.add(unframe(write(new Object[] {args[a]}, new Class<?>[] {m.getParameterTypes()[a]})));
                    }
                    seeds.add(new Seed(m, encoded, frame(encoded)));
                }
            }
        } catch (IOException e) {
            throw new AssertionError("a seed cannot be written", e);
        }
        return List.copyOf(seeds);
    }

    /** One value's body without its length prefix; null for the encoding of null. */
    private static byte[] unframe(byte[] value) {
        int length = 0;
        int i = 0;
        for (int shift = 0; ; shift += 7) {
            byte b = value[i++];
            length |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
        }
        return length == 0 ? null : Arrays.copyOfRange(value, i, value.length);
    }

    private static List<String> names() {
        List<String> names = new ArrayList<>(ALLOWED.names());
        names.addAll(List.of("ArrayList", "LinkedList", "HashMap", "LinkedHashMap", "TreeMap", "HashSet", "TreeSet"));
        return List.copyOf(names);
    }

    private static List<String> substitutes() {
        List<String> names = new ArrayList<>(List.of(
                "io.microrpc.plugin.codec.protostuff.fuzz.Canary$Pojo",
                "io.microrpc.plugin.codec.protostuff.fuzz.Canary$Collection",
                "io.microrpc.plugin.codec.protostuff.fuzz.Canary$SubUser",
                // JDK classes deserialization attacks use, or that must never be built from bytes.
                "java.lang.ProcessBuilder", "java.lang.Runtime", "java.lang.Thread", "java.lang.Class", "java.lang.Object",
                "java.io.File", "java.net.URL", "java.net.URLClassLoader", "javax.management.BadAttributeValueExpException",
                "java.util.PriorityQueue", "java.util.concurrent.ConcurrentHashMap", "java.util.Collections$UnmodifiableList",
                "sun.misc.Unsafe", "jdk.internal.misc.Unsafe", "java.lang.invoke.MethodHandle",
                "ConcurrentHashMap", "EnumMap", "EnumSet", "Properties", "Vector", "Stack",
                // Not on the class path at all.
                "org.apache.commons.collections.functors.InvokerTransformer", "com.sun.rowset.JdbcRowSetImpl",
                "[Ljava.lang.Object;", "[I", "int", "void", ""));
        names.addAll(NAMED); // allowed, but of another shape: type confusion
        return List.copyOf(names);
    }

    private static List<String> substitutesAndTags() {
        List<String> tokens = new ArrayList<>(substitutes());
        // protostuff group tags: start and end of groups 1 and 127, field 1 as a varint
        tokens.addAll(List.of("\u000b", "\u000c", "\u00fb\u0007", "\u00fc\u0007", "\u0008"));
        return tokens;
    }
}
