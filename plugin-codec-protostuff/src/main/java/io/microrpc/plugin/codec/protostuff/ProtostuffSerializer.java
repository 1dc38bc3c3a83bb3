package io.microrpc.plugin.codec.protostuff;

import io.microrpc.spi.AllowedTypes;
import io.microrpc.spi.Serializer;
import io.protostuff.Schema;
import io.protostuff.runtime.HasSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.pf4j.Extension;

/**
 * The protostuff serializer, id 1: protostuff's compact tag/value format for objects, bare bytes for
 * scalars, and a length prefix per value so values written back to back read back one by one.
 *
 * <p>Reading is restricted to the call's {@link AllowedTypes}: every class name in a payload is
 * resolved by {@link AllowListIdStrategy}, never loaded, so a class outside the set is refused before
 * it is even initialized; counts, nesting and number lengths in the payload are bounded by
 * {@link BoundedInput}; a field can only receive an instance of its declared type
 * ({@link TypeCheckedSchema}); an enum constant travels by name and must be one the reader's enum has,
 * wherever it appears ({@link EnumCodec}, {@link StrictEnumIO}). Malformed bytes fail with an
 * {@link IOException}.
 *
 * <p>On the wire, per value: a varint that is 0 for null, else the body's length plus one; then the
 * body, which depends on the declared type only: a scalar ({@link ScalarCodec}), an enum constant's
 * name ({@link EnumCodec}), protostuff's encoding of the declared class ({@link SchemaCodec}), or of a
 * one-field holder carrying the concrete class ({@link HolderCodec}) when the declared type does not
 * fix it. Both sides must declare the same type.
 *
 * <p>Thread-safe and non-blocking. Schemas are cached per instance, none statically, and no thread
 * locals are used: a write allocates a small {@code LinkedBuffer}, a read one array for the body. So an
 * unloaded plugin leaves nothing behind in the kernel's threads. The caches keep the classes they have
 * seen (those of service plugins too) until this instance is dropped.
 */
@Extension
public final class ProtostuffSerializer implements Serializer {

    private static final byte ID = 1;

    private final AllowListIdStrategy strategy = new AllowListIdStrategy();
    private final Map<Class<?>, ValueCodec> codecs = new ConcurrentHashMap<>();
    private volatile Schema<HolderCodec.ObjectHolder> holderSchema;

    @Override
    public byte id() {
        return ID;
    }

    @Override
    public String name() {
        return "protostuff";
    }

    @Override
    public void write(OutputStream out, Object value, Class<?> declaredType) throws IOException {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(declaredType, "declaredType");
        if (value == null) {
            out.write(Frames.NULL);
            return;
        }
        if (!boxed(declaredType).isInstance(value)) {
            throw new IllegalArgumentException("value: a " + value.getClass().getName() + " (expected: an instance of "
                    + declaredType.getName() + ")");
        }
        ValueCodec codec = codec(declaredType);
        try {
            codec.write(out, value);
        } catch (StackOverflowError e) {
            throw new IOException(
                    "cannot write a " + value.getClass().getName() + ": it refers to itself or nests "
                            + "too deeply; protostuff writes trees, not graphs",
                    e);
        } catch (RuntimeException | LinkageError e) {
            // e.g. protostuff cannot build a schema for a JDK class whose fields Java 17 keeps private
            throw new IOException(
                    "cannot write a " + value.getClass().getName() + " declared as " + declaredType.getName()
                            + " with protostuff: " + e,
                    e);
        }
    }

    @Override
    public Object read(InputStream in, Class<?> declaredType, AllowedTypes allowed) throws IOException {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(declaredType, "declaredType");
        Objects.requireNonNull(allowed, "allowed");
        int prefix = Frames.readPrefix(in);
        if (prefix == Frames.NULL) {
            return null;
        }
        byte[] body = Frames.readBody(in, prefix - 1);
        ValueCodec codec = codec(declaredType);
        try {
            return codec.read(body, allowed);
        } catch (RuntimeException | LinkageError | AssertionError e) {
            // Protostuff reports some malformed input as unchecked exceptions (an index past the end, a
            // negative array size, a failed cast), and with -ea some as a failed assert (a map value that
            // reads as nothing, found by ProtostuffPayloadFuzzTest): still malformed input.
            throw new IOException("malformed payload for " + declaredType.getName() + ": " + e, e);
        }
    }

    private ValueCodec codec(Class<?> declaredType) {
        ValueCodec codec = codecs.get(declaredType);
        return codec != null ? codec : codecs.computeIfAbsent(declaredType, this::newCodec);
    }

    @SuppressWarnings("unchecked")
    private ValueCodec newCodec(Class<?> type) {
        ScalarCodec scalar = ScalarCodec.of(type);
        if (scalar != null) {
            return scalar;
        }
        if (type == void.class || type == Void.class) {
            // only null is written for void; any other value fails the instance check in write
            return new HolderCodec(Void.class, holderSchema());
        }
        if (type.isEnum()) {
            return new EnumCodec(type);
        }
        if (isPlainClass(type)) {
            return new SchemaCodec((HasSchema<Object>) strategy.getSchemaWrapper(type, true));
        }
        return new HolderCodec(boxed(type), holderSchema());
    }

    /** A class protostuff can write field by field without naming it: concrete, not a JDK or collection type. */
    private boolean isPlainClass(Class<?> type) {
        String name = type.getName();
        return !type.isPrimitive()
                && !type.isArray()
                && !type.isInterface()
                && !Modifier.isAbstract(type.getModifiers())
                && !Collection.class.isAssignableFrom(type)
                && !Map.class.isAssignableFrom(type)
                && !Throwable.class.isAssignableFrom(type)
                && !strategy.isDelegateRegistered(type)
                && !name.startsWith("java.")
                && !name.startsWith("javax.")
                && !name.startsWith("jdk.")
                && !name.startsWith("sun.");
    }

    private Schema<HolderCodec.ObjectHolder> holderSchema() {
        Schema<HolderCodec.ObjectHolder> s = holderSchema;
        if (s == null) {
            s = strategy.getSchemaWrapper(HolderCodec.ObjectHolder.class, true).getSchema();
            holderSchema = s;
        }
        return s;
    }

    private static Class<?> boxed(Class<?> type) {
        if (!type.isPrimitive()) {
            return type;
        }
        if (type == int.class) {
            return Integer.class;
        }
        if (type == long.class) {
            return Long.class;
        }
        if (type == boolean.class) {
            return Boolean.class;
        }
        if (type == double.class) {
            return Double.class;
        }
        if (type == float.class) {
            return Float.class;
        }
        if (type == short.class) {
            return Short.class;
        }
        if (type == byte.class) {
            return Byte.class;
        }
        if (type == char.class) {
            return Character.class;
        }
        return Void.class;
    }
}
