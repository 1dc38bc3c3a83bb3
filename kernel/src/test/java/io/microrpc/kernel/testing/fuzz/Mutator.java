package io.microrpc.kernel.testing.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Mutates valid inputs into almost-valid ones: bit flips, bytes and integers replaced by values at the
 * edges (0, -1, 0x7F, 0x80, the largest and smallest 16- and 32-bit values, varints of 5 and 10 bytes),
 * truncation, deletion, duplication and splicing of ranges, tokens from a dictionary (class names,
 * tags), and corruption of the length fields the caller points at. Deterministic for a given
 * {@link Random}. Immutable and thread-safe.
 */
public final class Mutator {

    /** A length or count field of a seed input: where it is and how it is encoded. */
    public record Field(int offset, Encoding encoding) {
        public Field {
            if (offset < 0) {
                throw new IllegalArgumentException("offset: " + offset + " (expected: >= 0)");
            }
        }
    }

    public enum Encoding {
        U16,
        I32,
        VARINT
    }

    /** A valid input and its length fields, for {@link #mutate}. */
    @SuppressWarnings("ArrayRecordComponent") // never compared; the bytes are read only
    public record Seed(byte[] bytes, List<Field> fields) {
        public Seed(byte[] bytes) {
            this(bytes, List.of());
        }
    }

    private static final byte[] INTERESTING_BYTES = {0, 1, 0x7F, (byte) 0x80, (byte) 0xFF, (byte) 0xFE, 0x40, 0x10, 0x20
    };
    private static final int[] INTERESTING_SHORTS = {0, 1, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF};
    private static final int[] INTERESTING_INTS = {
        0,
        1,
        -1,
        0x7F,
        0x80,
        0xFF,
        0xFFFF,
        0x10000,
        0x7FFFFFFF,
        0x80000000,
        0x7FFFFFFE,
        0x00800000,
        8 * 1024 * 1024 - 18,
        8 * 1024 * 1024 - 17,
        0x40000000
    };
    /** Varints at the edges: 2^31 - 1, 2^32 - 1, 2^31 (too long for an int), -1 as ten bytes, overlong zero, unterminated. */
    private static final byte[][] VARINTS = {
        {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07},
        {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F},
        {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08},
        {
            (byte) 0xFF,
            (byte) 0xFF,
            (byte) 0xFF,
            (byte) 0xFF,
            (byte) 0xFF,
            (byte) 0xFF,
            (byte) 0xFF,
            (byte) 0xFF,
            (byte) 0xFF,
            0x01
        },
        {(byte) 0x80, (byte) 0x80, 0x00},
        {
            (byte) 0xFF,
            (byte) 0xFF,
            (byte) 0xFF,
            (byte) 0xFF,
            (byte) 0xFF,
            (byte) 0xFF,
            (byte) 0xFF,
            (byte) 0xFF,
            (byte) 0xFF,
            (byte) 0xFF,
            (byte) 0xFF
        },
        {(byte) 0x80, 0x01},
        {0x7F},
    };

    private final int maxLength;
    private final List<byte[]> dictionary;

    private Mutator(int maxLength, List<byte[]> dictionary) {
        this.maxLength = maxLength;
        this.dictionary = dictionary;
    }

    /**
     * A mutator whose results are at most {@code maxLength} bytes, inserting {@code tokens} besides its
     * generic edits; a token's chars are its bytes (ISO-8859-1), so {@code "\u00fb\u0007"} is two bytes.
     */
    public static Mutator of(int maxLength, List<String> tokens) {
        List<byte[]> dictionary = new ArrayList<>();
        for (String t : tokens) {
            dictionary.add(t.getBytes(StandardCharsets.ISO_8859_1));
        }
        return new Mutator(maxLength, List.copyOf(dictionary));
    }

    /**
     * One to eight edits of {@code seed}, sometimes splicing in a part of {@code other} (another valid
     * input); never returns {@code seed}'s own array.
     */
    public byte[] mutate(Random random, Seed seed, byte[] other) {
        byte[] b = seed.bytes().clone();
        int edits = 1 + Integer.numberOfTrailingZeros(random.nextInt() | 0x80);
        for (int e = 0; e < edits; e++) {
            b = edit(random, b, seed.fields(), other);
            if (b.length > maxLength) {
                b = Arrays.copyOf(b, maxLength);
            }
        }
        return b;
    }

    private byte[] edit(Random r, byte[] b, List<Field> fields, byte[] other) {
        // Nothing to edit in place in an empty input: splice, insert bytes or a token.
        int op = b.length == 0 ? 10 + r.nextInt(3) : r.nextInt(14);
        switch (op) {
            case 0:
            case 1: {
                int i = r.nextInt(b.length);
                b[i] ^= (byte) (1 << r.nextInt(8));
                return b;
            }
            case 2: {
                b[r.nextInt(b.length)] = INTERESTING_BYTES[r.nextInt(INTERESTING_BYTES.length)];
                return b;
            }
            case 3: {
                b[r.nextInt(b.length)] = (byte) r.nextInt();
                return b;
            }
            case 4: {
                int i = r.nextInt(b.length);
                putShort(b, i, INTERESTING_SHORTS[r.nextInt(INTERESTING_SHORTS.length)]);
                return b;
            }
            case 5: {
                int i = r.nextInt(b.length);
                putInt(b, i, INTERESTING_INTS[r.nextInt(INTERESTING_INTS.length)]);
                return b;
            }
            case 6:
                // truncate
                return Arrays.copyOf(b, r.nextInt(b.length));
            case 7: {
                // delete a range
                int from = r.nextInt(b.length);
                int to = from + 1 + r.nextInt(Math.min(b.length - from, 16));
                return concat(Arrays.copyOfRange(b, 0, from), Arrays.copyOfRange(b, to, b.length));
            }
            case 8: {
                // duplicate a range at another place
                int from = r.nextInt(b.length);
                int len = 1 + r.nextInt(Math.min(b.length - from, 64));
                int at = r.nextInt(b.length + 1);
                return insert(b, at, Arrays.copyOfRange(b, from, from + len));
            }
            case 9: {
                // overwrite with a varint at the edges
                byte[] v = VARINTS[r.nextInt(VARINTS.length)];
                int at = r.nextInt(b.length);
                return r.nextBoolean() ? insert(b, at, v) : overwrite(b, at, v);
            }
            case 10: {
                // splice: a prefix of this one, a suffix of the other
                if (other == null || other.length == 0) {
                    return insert(b, r.nextInt(b.length + 1), randomBytes(r, 1 + r.nextInt(8)));
                }
                int cut = r.nextInt(b.length + 1);
                int from = r.nextInt(other.length);
                return concat(Arrays.copyOf(b, cut), Arrays.copyOfRange(other, from, other.length));
            }
            case 11:
                return insert(b, r.nextInt(b.length + 1), randomBytes(r, 1 + r.nextInt(8)));
            case 12: {
                if (dictionary.isEmpty()) {
                    return b;
                }
                byte[] token = dictionary.get(r.nextInt(dictionary.size()));
                int at = r.nextInt(b.length + 1);
                return r.nextBoolean() || at == b.length ? insert(b, at, token) : overwrite(b, at, token);
            }
            default:
                return corruptField(r, b, fields);
        }
    }

    /** Writes a value at the edges into one of the seed's length fields (while it is still inside the input). */
    private static byte[] corruptField(Random r, byte[] b, List<Field> fields) {
        if (fields.isEmpty()) {
            putInt(b, r.nextInt(b.length), INTERESTING_INTS[r.nextInt(INTERESTING_INTS.length)]);
            return b;
        }
        Field f = fields.get(r.nextInt(fields.size()));
        if (f.offset() >= b.length) {
            return b;
        }
        switch (f.encoding()) {
            case U16: {
                int value = r.nextInt(3) == 0
                        ? b.length - f.offset() - 2 + r.nextInt(5) - 2
                        : INTERESTING_SHORTS[r.nextInt(INTERESTING_SHORTS.length)];
                putShort(b, f.offset(), value);
                return b;
            }
            case I32: {
                int value = r.nextInt(3) == 0
                        ? b.length - f.offset() - 4 + r.nextInt(5) - 2
                        : INTERESTING_INTS[r.nextInt(INTERESTING_INTS.length)];
                putInt(b, f.offset(), value);
                return b;
            }
            default: {
                byte[] v = VARINTS[r.nextInt(VARINTS.length)];
                int old = varintLength(b, f.offset());
                byte[] rest = Arrays.copyOfRange(b, Math.min(b.length, f.offset() + old), b.length);
                return concat(concat(Arrays.copyOf(b, f.offset()), v), rest);
            }
        }
    }

    private static int varintLength(byte[] b, int at) {
        int n = 0;
        while (at + n < b.length && n < 10) {
            if ((b[at + n++] & 0x80) == 0) {
                break;
            }
        }
        return n;
    }

    private static void putShort(byte[] b, int at, int v) {
        if (at < b.length) {
            b[at] = (byte) (v >>> 8);
        }
        if (at + 1 < b.length) {
            b[at + 1] = (byte) v;
        }
    }

    private static void putInt(byte[] b, int at, int v) {
        for (int k = 0; k < 4 && at + k < b.length; k++) {
            b[at + k] = (byte) (v >>> (24 - 8 * k));
        }
    }

    private static byte[] randomBytes(Random r, int n) {
        byte[] bytes = new byte[n];
        r.nextBytes(bytes);
        return bytes;
    }

    private static byte[] overwrite(byte[] b, int at, byte[] v) {
        byte[] out = b.length >= at + v.length ? b : Arrays.copyOf(b, at + v.length);
        System.arraycopy(v, 0, out, at, v.length);
        return out;
    }

    private static byte[] insert(byte[] b, int at, byte[] v) {
        byte[] out = new byte[b.length + v.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(v, 0, out, at, v.length);
        System.arraycopy(b, at, out, at + v.length, b.length - at);
        return out;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /**
     * Cuts {@code length} bytes into 1 to {@code maxPieces} pieces at random points (sometimes every
     * byte on its own), as the reads of a socket would deliver them; returns the piece lengths.
     */
    public static int[] splits(Random r, int length, int maxPieces) {
        if (length == 0) {
            return new int[0];
        }
        if (r.nextInt(16) == 0 && length <= 512) {
            int[] ones = new int[length];
            Arrays.fill(ones, 1);
            return ones;
        }
        int pieces = Math.min(length, 1 + r.nextInt(maxPieces));
        int[] cuts = new int[pieces - 1];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = 1 + r.nextInt(length - 1);
        }
        Arrays.sort(cuts);
        int[] lengths = new int[pieces];
        int previous = 0;
        for (int i = 0; i < cuts.length; i++) {
            lengths[i] = cuts[i] - previous;
            previous = cuts[i];
        }
        lengths[pieces - 1] = length - previous;
        return lengths;
    }
}
