package io.microrpc.plugin.codec.protostuff.fuzz;

import io.microrpc.kernel.internal.invoke.PayloadCodecs;
import io.microrpc.kernel.testing.fuzz.Fuzz;
import io.microrpc.kernel.testing.fuzz.Mutator;
import io.microrpc.plugin.codec.protostuff.ProtostuffSerializer;
import io.microrpc.spi.AllowedTypes;
import io.microrpc.spi.Serializer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Valid payloads of every method of {@link FuzzedApi} (the seeds, written by the protostuff serializer
 * through the kernel's payload codec) and the ways the codec fuzz tests mutate them. Immutable once built.
 */
final class FuzzedPayloads {

    static final Serializer SERIALIZER = new ProtostuffSerializer();
    static final AllowedTypes ALLOWED = PayloadCodecs.allowedTypes(FuzzedApi.class);
    private static final int SEEDS_PER_METHOD = 24;

    /** A valid payload of {@code method}'s arguments, and each argument's encoding on its own (null for null). */
    @SuppressWarnings("ArrayRecordComponent") // never compared; the bytes are read only
    record Seed(Method method, List<byte[]> arguments, byte[] bytes) {}

    /** Names payloads carry: the allowed classes, and protostuff's short ids of JDK collections. */
    private final List<String> named = names(ALLOWED);
    /** Names to put in their place. */
    private final List<String> substitutes = substitutes(named);

    private final Mutator mutator = Mutator.of(4096, substitutesAndTags(substitutes));
    private final List<Seed> corpus = corpus();

    /** A seed at random. */
    Seed seed(Random r) {
        return corpus.get(r.nextInt(corpus.size()));
    }

    /** The arguments of {@code types} written as a client writes them. */
    static byte[] write(Object[] arguments, Class<?>[] types) throws IOException {
        ByteBuf out = Unpooled.buffer();
        PayloadCodecs.writeArguments(out, SERIALIZER, arguments, types);
        return ByteBufUtil.getBytes(out);
    }

    /**
     * A payload for {@code seed}'s method: one in eight unchanged (it must read, and write back), else
     * mutated as bytes, one argument mutated with every length prefix kept right, or one class name
     * replaced, sometimes spliced with {@code other}.
     */
    byte[] mutate(Random r, Seed seed, Seed other) {
        switch (r.nextInt(8)) {
            case 0:
                return seed.bytes(); // valid: must read, and write back
            case 1:
            case 2:
                return mutator.mutate(
                        r,
                        new Mutator.Seed(seed.bytes(), List.of(new Mutator.Field(0, Mutator.Encoding.VARINT))),
                        other.bytes());
            case 3:
            case 4: {
                // Another class name where the payload names one, its length kept right, then maybe more.
                List<byte[]> arguments = new ArrayList<>(seed.arguments());
                int i = r.nextInt(arguments.size());
                arguments.set(i, substituteName(r, arguments.get(i)));
                if (r.nextBoolean()) {
                    arguments.set(i, mutator.mutate(r, new Mutator.Seed(orEmpty(arguments.get(i))), null));
                }
                return frame(arguments);
            }
            default: {
                // One argument mutated, every value's length prefix right: the bytes reach protostuff.
                List<byte[]> arguments = new ArrayList<>(seed.arguments());
                int i = r.nextInt(arguments.size());
                byte[] otherArgument =
                        other.arguments().get(r.nextInt(other.arguments().size()));
                arguments.set(i, mutator.mutate(r, new Mutator.Seed(orEmpty(arguments.get(i))), otherArgument));
                return frame(arguments);
            }
        }
    }

    /** A null value's body (it has none) as no bytes, to mutate. */
    private static byte[] orEmpty(byte[] body) {
        return body == null ? new byte[0] : body;
    }

    /** Replaces one class name (a protostuff string: varint length, then the name) with a substitute. */
    private byte[] substituteName(Random r, byte[] body) {
        if (body == null) {
            return null;
        }
        List<int[]> found = new ArrayList<>(); // {offset of the length byte, name length}
        for (String name : named) {
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
        byte[] substitute = substitutes.get(r.nextInt(substitutes.size())).getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[body.length - hit[1] + substitute.length];
        System.arraycopy(body, 0, out, 0, hit[0]);
        out[hit[0]] = (byte) substitute.length;
        System.arraycopy(substitute, 0, out, hit[0] + 1, substitute.length);
        System.arraycopy(
                body, hit[0] + 1 + hit[1], out, hit[0] + 1 + substitute.length, body.length - hit[0] - 1 - hit[1]);
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
    static byte[] frame(List<byte[]> arguments) {
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

    private static List<String> names(AllowedTypes allowed) {
        List<String> names = new ArrayList<>(allowed.names());
        names.addAll(List.of("ArrayList", "LinkedList", "HashMap", "LinkedHashMap", "TreeMap", "HashSet", "TreeSet"));
        return List.copyOf(names);
    }

    private static List<String> substitutes(List<String> named) {
        List<String> names = new ArrayList<>(List.of(
                "io.microrpc.plugin.codec.protostuff.fuzz.Canary$Pojo",
                "io.microrpc.plugin.codec.protostuff.fuzz.Canary$Collection",
                "io.microrpc.plugin.codec.protostuff.fuzz.Canary$SubUser",
                // JDK classes deserialization attacks use, or that must never be built from bytes.
                "java.lang.ProcessBuilder",
                "java.lang.Runtime",
                "java.lang.Thread",
                "java.lang.Class",
                "java.lang.Object",
                "java.io.File",
                "java.net.URL",
                "java.net.URLClassLoader",
                "javax.management.BadAttributeValueExpException",
                "java.util.PriorityQueue",
                "java.util.concurrent.ConcurrentHashMap",
                "java.util.Collections$UnmodifiableList",
                "sun.misc.Unsafe",
                "jdk.internal.misc.Unsafe",
                "java.lang.invoke.MethodHandle",
                "ConcurrentHashMap",
                "EnumMap",
                "EnumSet",
                "Properties",
                "Vector",
                "Stack",
                // Not on the class path at all.
                "org.apache.commons.collections.functors.InvokerTransformer",
                "com.sun.rowset.JdbcRowSetImpl",
                "[Ljava.lang.Object;",
                "[I",
                "int",
                "void",
                ""));
        names.addAll(named); // allowed, but of another shape: type confusion
        return List.copyOf(names);
    }

    private static List<String> substitutesAndTags(List<String> substitutes) {
        List<String> tokens = new ArrayList<>(substitutes);
        // protostuff group tags: start and end of groups 1 and 127, field 1 as a varint
        tokens.addAll(List.of("\u000b", "\u000c", "\u00fb\u0007", "\u00fc\u0007", "\u0008"));
        return tokens;
    }
}
