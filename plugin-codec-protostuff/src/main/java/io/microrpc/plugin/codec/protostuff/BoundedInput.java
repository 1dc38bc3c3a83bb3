package io.microrpc.plugin.codec.protostuff;

import io.microrpc.spi.AllowedTypes;
import io.protostuff.ByteArrayInput;
import io.protostuff.ByteString;
import io.protostuff.CollectionSchema;
import io.protostuff.Input;
import io.protostuff.Output;
import io.protostuff.ProtostuffException;
import io.protostuff.Schema;
import io.protostuff.UninitializedMessageException;
import io.protostuff.WireFormat;
import io.protostuff.runtime.ArraySchemas;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Collection;

/**
 * The protostuff {@link Input} of one {@link ProtostuffSerializer#read} call: carries the call's
 * {@link AllowedTypes} to {@link AllowListIdStrategy}, and bounds what a payload can make the reader
 * allocate or recurse into.
 *
 * <p>Protostuff trusts counts it reads: an array's length, a run of nulls in a collection, an array's
 * dimensions, and the nesting of objects. A payload of a few bytes could declare an array of two
 * billion longs. This input recognizes the reads that carry those counts (by the schema and field
 * number they follow) and charges them against a budget of one element per payload byte, plus
 * {@value #NULL_ALLOWANCE} for runs of nulls, which protostuff writes as a count. Nesting is limited
 * to {@value #MAX_DEPTH} levels, as in protobuf-java. It also caps the length of {@code BigDecimal}
 * strings in {@code Object} positions: {@code new BigDecimal(String)} is quadratic in the digits.
 *
 * <p>Nested messages are read here, not by the wrapped {@link ByteArrayInput}, so that protostuff's
 * schemas call back into this input at every level (with groups as delimiters there is no length to
 * save and restore). Not thread-safe: one instance per read.
 */
final class BoundedInput implements Input {

    /** Objects nested deeper than this are refused; protobuf-java's default recursion limit. */
    static final int MAX_DEPTH = 100;

    /** Elements a payload may declare beyond one per byte, for runs of nulls written as a count. */
    static final int NULL_ALLOWANCE = 1 << 16;

    /**
     * Longest {@code BigDecimal} text read; Jackson's default maximum number length. A million digits
     * take {@code new BigDecimal} about ten seconds.
     */
    static final int MAX_BIG_DECIMAL_CHARS = 1000;

    // ObjectSchema's field numbers (package-private in protostuff).
    private static final int OBJECT_ID_BIGDECIMAL = 12;
    private static final int OBJECT_ID_POLYMORPHIC_COLLECTION = 28;
    private static final int OBJECT_ID_POLYMORPHIC_MAP = 29;
    private static final int OBJECT_ARRAY_LEN = 3;
    private static final int OBJECT_ARRAY_DIMENSION = 2;
    private static final int OBJECT_ID_BYTESTRING = 10;
    // ArraySchemas' and CollectionSchema's field numbers.
    private static final int ARRAY_LEN = 1;
    private static final int ARRAY_DATA = 2;

    @SuppressWarnings("UnusedVariable") // names the number the ARRAY_DATA case also stands for
    private static final int COLLECTION_NULL_COUNT = 2;

    private enum Expect {
        NOTHING,
        COUNT,
        ARRAY_HEADER,
        ARRAY_LENGTH,
        ARRAY_DIMENSIONS_FIELD,
        ARRAY_DIMENSIONS,
        DECIMAL
    }

    private final ByteArrayInput in;
    private final byte[] body;
    private final AllowedTypes allowed;
    private long budget;
    private int depth;
    private Expect expect = Expect.NOTHING;

    private BoundedInput(ByteArrayInput in, byte[] body, AllowedTypes allowed, int length) {
        this.in = in;
        this.body = body;
        this.allowed = allowed;
        this.budget = (long) length + NULL_ALLOWANCE;
    }

    /**
     * Reads {@code body}, all of it, into {@code message}.
     *
     * @throws IOException when the bytes are malformed, exceed a bound, do not end where the value
     *     ends, or name a class outside {@code allowed}
     */
    static <T> void merge(byte[] body, Schema<T> schema, T message, AllowedTypes allowed) throws IOException {
        ByteArrayInput raw = new ByteArrayInput(body, 0, body.length, true);
        BoundedInput input = new BoundedInput(raw, body, allowed, body.length);
        schema.mergeFrom(input, message);
        if (raw.currentOffset() != body.length) {
            throw new ProtostuffException(
                    "malformed payload: " + (body.length - raw.currentOffset()) + " bytes after the end of the value");
        }
    }

    /** The input protostuff handed a hook; always this class, since only {@link #merge} starts reads. */
    static BoundedInput of(Input input) throws IOException {
        if (input instanceof BoundedInput) {
            return (BoundedInput) input;
        }
        throw new IOException("class names are only resolved inside ProtostuffSerializer.read, not from a "
                + input.getClass().getName());
    }

    AllowedTypes allowedTypes() {
        return allowed;
    }

    /** The wire type of the tag read last: how the value about to be read was sent. */
    int lastWireType() {
        return WireFormat.getTagWireType(in.getLastTag());
    }

    /** ObjectSchema resolved an array component; its length and dimensions are read next. */
    void expectArrayHeader() {
        expect = Expect.ARRAY_HEADER;
    }

    @Override
    public <T> int readFieldNumber(Schema<T> schema) throws IOException {
        int number = in.readFieldNumber(schema);
        switch (expect) {
            case ARRAY_HEADER:
                expect = number == OBJECT_ARRAY_LEN ? Expect.ARRAY_LENGTH : Expect.NOTHING;
                break;
            case ARRAY_DIMENSIONS_FIELD:
                expect = number == OBJECT_ARRAY_DIMENSION ? Expect.ARRAY_DIMENSIONS : Expect.NOTHING;
                break;
            default:
                expect = classify(schema, number);
        }
        return number;
    }

    private static Expect classify(Schema<?> schema, int number) throws IOException {
        // Cheap number tests first: this runs for every field of every object.
        switch (number) {
            case ARRAY_LEN:
                if (schema instanceof ArraySchemas.ByteStringArray) {
                    throw byteString(schema, number);
                }
                return schema instanceof ArraySchemas.Base ? Expect.COUNT : Expect.NOTHING;
            case OBJECT_ID_BYTESTRING:
                if (schema.typeClass() == Object.class) {
                    throw byteString(schema, number);
                }
                return Expect.NOTHING;
            case ARRAY_DATA: // == COLLECTION_NULL_COUNT
                if (schema instanceof ArraySchemas.BigDecimalArray) {
                    return Expect.DECIMAL;
                }
                return schema instanceof CollectionSchema || schema.typeClass() == Collection.class
                        ? Expect.COUNT
                        : Expect.NOTHING;
            case OBJECT_ID_BIGDECIMAL:
                return schema.typeClass() == Object.class ? Expect.DECIMAL : Expect.NOTHING;
            case OBJECT_ID_POLYMORPHIC_COLLECTION:
            case OBJECT_ID_POLYMORPHIC_MAP:
                if (schema.typeClass() == Object.class) {
                    // Protostuff's encoding of java.util.Collections' wrappers, read by reflection into
                    // java.base, which Java 17 refuses; this serializer writes them as plain collections.
                    throw new ProtostuffException("malformed payload: unsupported encoding of a "
                            + "java.util.Collections wrapper (field " + number + ")");
                }
                return Expect.NOTHING;
            default:
                return Expect.NOTHING;
        }
    }

    /**
     * Protostuff's own byte string, alone or in an array, where an {@code Object} is declared: a class
     * outside every allow-list that protostuff builds from a type id, not a name, so the id strategy
     * never sees it (found by ProtostuffPayloadFuzzTest). This serializer writes bytes as {@code byte[]}.
     */
    private static ProtostuffException byteString(Schema<?> schema, int number) {
        return new ProtostuffException("malformed payload: protostuff's ByteString"
                + (schema instanceof ArraySchemas.Base ? " array" : " (type id " + number + ")")
                + " is not an allowed type; bytes travel as byte[]");
    }

    @Override
    public int readInt32() throws IOException {
        return checked(in.readInt32());
    }

    @Override
    public int readUInt32() throws IOException {
        return checked(in.readUInt32());
    }

    private int checked(int value) throws IOException {
        switch (expect) {
            case COUNT:
                expect = Expect.NOTHING;
                // ArraySchemas writes a derived boxed array's length as -(len + 1)
                charge(value < 0 ? -(long) value - 1 : value);
                break;
            case ARRAY_LENGTH:
                expect = Expect.ARRAY_DIMENSIONS_FIELD;
                charge(value);
                break;
            case ARRAY_DIMENSIONS:
                expect = Expect.NOTHING;
                if (value < 1 || value > 255) {
                    throw new ProtostuffException(
                            "malformed payload: an array of " + value + " dimensions (expected: 1-255)");
                }
                break;
            default:
                break;
        }
        return value;
    }

    private void charge(long elements) throws IOException {
        if (elements < 0 || elements > budget) {
            throw new ProtostuffException("malformed payload: declares " + elements + " elements, more than its "
                    + "bytes can hold (" + budget + " left)");
        }
        budget -= elements;
    }

    /**
     * Checks the length of the length-delimited field about to be read against the bytes left. Protostuff's
     * ByteArrayInput checks {@code offset + size > limit}, which overflows for a size near 2^31: it then
     * allocated the size (found by ProtostuffPayloadFuzzTest: a 12-byte Instant declared as 2^31 - 1 bytes
     * threw OutOfMemoryError; a size of 2^31 - 64 would have allocated 2 GiB).
     */
    private void checkLength() throws IOException {
        int offset = in.currentOffset();
        int limit = in.currentLimit();
        int size = 0;
        // As ByteArrayInput.readRawVarint32: up to ten bytes, bits past the 32nd dropped.
        for (int shift = 0; ; shift += 7) {
            if (offset >= limit || shift >= 70) {
                return; // truncated or over-long: protostuff's own read refuses it
            }
            byte b = body[offset++];
            if (shift < 32) {
                size |= (b & 0x7F) << shift;
            }
            if (b >= 0) {
                break;
            }
        }
        if (size < 0 || size > limit - offset) {
            throw new ProtostuffException("malformed payload: a field of " + (size & 0xFFFFFFFFL) + " bytes, only "
                    + (limit - offset) + " left in the value");
        }
    }

    @Override
    public String readString() throws IOException {
        checkLength();
        String value = in.readString();
        if (expect == Expect.DECIMAL) {
            expect = Expect.NOTHING;
            if (value.length() > MAX_BIG_DECIMAL_CHARS) {
                throw new ProtostuffException("malformed payload: a BigDecimal of " + value.length()
                        + " characters (expected: at most " + MAX_BIG_DECIMAL_CHARS + ")");
            }
        }
        return value;
    }

    @Override
    public <T> T mergeObject(T value, Schema<T> schema) throws IOException {
        // ByteArrayInput.mergeObject in group mode, but calling the schema back with this input.
        if (++depth > MAX_DEPTH) {
            throw tooDeep();
        }
        T message = value == null ? schema.newMessage() : value;
        schema.mergeFrom(this, message);
        if (!schema.isInitialized(message)) {
            throw new UninitializedMessageException(message, schema);
        }
        in.checkLastTagWas(0);
        depth--;
        return message;
    }

    @Override
    public <T> void handleUnknownField(int fieldNumber, Schema<T> schema) throws IOException {
        // ByteArrayInput.skipField recurses into groups without a limit; this one stops at MAX_DEPTH.
        skip(in.getLastTag(), depth);
    }

    private void skip(int tag, int level) throws IOException {
        if (WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_START_GROUP) {
            in.skipField(tag);
            if (in.currentOffset() > in.currentLimit() || in.currentOffset() < 0) {
                throw new ProtostuffException("malformed payload: a field runs past the end of the value");
            }
            return;
        }
        if (level >= MAX_DEPTH) {
            throw tooDeep();
        }
        int field = WireFormat.getTagFieldNumber(tag);
        while (true) {
            int next = in.readTag();
            if (next == 0) {
                throw new ProtostuffException("malformed payload: group " + field + " is not closed");
            }
            if (WireFormat.getTagWireType(next) == WireFormat.WIRETYPE_END_GROUP) {
                if (WireFormat.getTagFieldNumber(next) != field) {
                    throw new ProtostuffException(
                            "malformed payload: group " + field + " closed as " + WireFormat.getTagFieldNumber(next));
                }
                return;
            }
            skip(next, level + 1);
        }
    }

    private static ProtostuffException tooDeep() {
        return new ProtostuffException("malformed payload: objects nested deeper than " + MAX_DEPTH + " levels");
    }

    // ---- plain delegation

    @Override
    public int readSInt32() throws IOException {
        return in.readSInt32();
    }

    @Override
    public int readFixed32() throws IOException {
        return in.readFixed32();
    }

    @Override
    public int readSFixed32() throws IOException {
        return in.readSFixed32();
    }

    @Override
    public long readInt64() throws IOException {
        return in.readInt64();
    }

    @Override
    public long readUInt64() throws IOException {
        return in.readUInt64();
    }

    @Override
    public long readSInt64() throws IOException {
        return in.readSInt64();
    }

    @Override
    public long readFixed64() throws IOException {
        return in.readFixed64();
    }

    @Override
    public long readSFixed64() throws IOException {
        return in.readSFixed64();
    }

    @Override
    public float readFloat() throws IOException {
        return in.readFloat();
    }

    @Override
    public double readDouble() throws IOException {
        return in.readDouble();
    }

    @Override
    public boolean readBool() throws IOException {
        return in.readBool();
    }

    @Override
    public int readEnum() throws IOException {
        return in.readEnum();
    }

    @Override
    public ByteString readBytes() throws IOException {
        checkLength();
        return in.readBytes();
    }

    @Override
    public void readBytes(ByteBuffer bb) throws IOException {
        checkLength();
        in.readBytes(bb);
    }

    @Override
    public byte[] readByteArray() throws IOException {
        checkLength();
        return in.readByteArray();
    }

    @Override
    public ByteBuffer readByteBuffer() throws IOException {
        checkLength();
        return in.readByteBuffer();
    }

    @Override
    public void transferByteRangeTo(Output output, boolean utf8String, int fieldNumber, boolean repeated)
            throws IOException {
        checkLength();
        in.transferByteRangeTo(output, utf8String, fieldNumber, repeated);
    }
}
