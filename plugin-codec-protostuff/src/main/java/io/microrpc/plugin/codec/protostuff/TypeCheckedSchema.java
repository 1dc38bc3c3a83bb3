package io.microrpc.plugin.codec.protostuff;

import io.protostuff.Input;
import io.protostuff.Output;
import io.protostuff.Schema;
import io.protostuff.Tag;
import io.protostuff.runtime.RuntimeSchema;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pojo schema that checks, after reading an object, that every field whose declared type the
 * payload could choose holds an instance of that type.
 *
 * <p>Why: protostuff fills a field declared as an interface, an abstract class, an array or
 * {@code Object} with whatever class the payload names, and stores it with {@code Unsafe.putObject},
 * which does no type check. An allowed but unrelated class in a field declared {@code Shape} would be
 * type confusion: compiled code trusts declared field types, so the first call on it could read the
 * wrong memory. The allow-list limits which classes can appear, not where. The check runs before the
 * object is returned to anyone (a map does not see it before its own fields are checked).
 *
 * <p>Fields of a final or enum type, primitives and {@code Object} are built from the declared type or
 * accept anything, so they are not checked; classes without such fields keep protostuff's schema
 * unwrapped. Immutable and thread-safe.
 */
final class TypeCheckedSchema<T> implements Schema<T> {

    private final Schema<T> schema;
    private final Check[] checks;

    private TypeCheckedSchema(Schema<T> schema, List<Check> checks) {
        this.schema = schema;
        this.checks = checks.toArray(new Check[0]);
    }

    /** {@code schema}, checked if any of its fields needs it. */
    static <T> Schema<T> wrap(RuntimeSchema<T> schema) {
        Map<String, Field> byName = javaFields(schema.typeClass());
        List<Check> checks = new ArrayList<>();
        for (io.protostuff.runtime.Field<T> f : schema.getFields()) {
            Field field = byName.get(f.name);
            if (field == null) {
                throw new IllegalStateException("no Java field behind protostuff field "
                        + schema.typeClass().getName() + "." + f.name);
            }
            if (needsCheck(field.getType())) {
                if (!field.trySetAccessible()) {
                    throw new IllegalStateException("cannot check the type of " + field + " after reading it; "
                            + "open its package to this plugin or declare the field with a final type");
                }
                checks.add(new Check(field));
            }
        }
        return checks.isEmpty() ? schema : new TypeCheckedSchema<>(schema, checks);
    }

    static boolean needsCheck(Class<?> type) {
        if (type.isArray()) {
            // byte[] is a scalar; every other array is read polymorphically
            return type != byte[].class;
        }
        return !type.isPrimitive() && type != Object.class && !type.isEnum() && !Modifier.isFinal(type.getModifiers());
    }

    /** The fields protostuff's RuntimeSchema serializes, by the name it gives them. */
    private static Map<String, Field> javaFields(Class<?> type) {
        Map<String, Field> byJavaName = new LinkedHashMap<>();
        fill(byJavaName, type);
        Map<String, Field> byName = new LinkedHashMap<>();
        for (Field f : byJavaName.values()) {
            Tag tag = f.getAnnotation(Tag.class);
            byName.put(tag == null || tag.alias().isEmpty() ? f.getName() : tag.alias(), f);
        }
        return byName;
    }

    // Mirrors RuntimeSchema.fill: superclass first, a subclass field hides one of the same name.
    private static void fill(Map<String, Field> fields, Class<?> type) {
        if (type.getSuperclass() != null && type.getSuperclass() != Object.class) {
            fill(fields, type.getSuperclass());
        }
        for (Field f : type.getDeclaredFields()) {
            int mod = f.getModifiers();
            if (!Modifier.isStatic(mod) && !Modifier.isTransient(mod)) {
                fields.put(f.getName(), f);
            }
        }
    }

    @Override
    public void mergeFrom(Input input, T message) throws IOException {
        schema.mergeFrom(input, message);
        for (Check check : checks) {
            check.verify(message);
        }
    }

    @Override
    public void writeTo(Output output, T message) throws IOException {
        schema.writeTo(output, message);
    }

    @Override
    public String getFieldName(int number) {
        return schema.getFieldName(number);
    }

    @Override
    public int getFieldNumber(String name) {
        return schema.getFieldNumber(name);
    }

    @Override
    public boolean isInitialized(T message) {
        return schema.isInitialized(message);
    }

    @Override
    public T newMessage() {
        return schema.newMessage();
    }

    @Override
    public String messageName() {
        return schema.messageName();
    }

    @Override
    public String messageFullName() {
        return schema.messageFullName();
    }

    @Override
    public Class<? super T> typeClass() {
        return schema.typeClass();
    }

    private static final class Check {

        private final Field field;
        private final Class<?> type;

        Check(Field field) {
            this.field = field;
            this.type = field.getType();
        }

        void verify(Object message) throws IOException {
            Object value;
            try {
                value = field.get(message);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("made accessible when the schema was built: " + field, e);
            }
            if (value != null && !type.isInstance(value)) {
                throw new IOException("malformed payload: a " + value.getClass().getName() + " in "
                        + field.getDeclaringClass().getName() + "." + field.getName() + ", declared "
                        + type.getName());
            }
        }
    }
}
