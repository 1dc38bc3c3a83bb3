package io.microrpc.plugin.codec.protostuff;

import io.protostuff.Input;
import io.protostuff.Output;
import io.protostuff.Pipe;
import io.protostuff.WireFormat.FieldType;
import io.protostuff.runtime.Delegate;
import io.protostuff.runtime.HasDelegate;
import io.protostuff.runtime.IdStrategy;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Compact, validating encodings for the JDK value types {@code AllowedTypes} admits by default and
 * protostuff has no scalar for.
 *
 * <p>Without them protostuff copies these classes field by field through {@code Unsafe}: it works on
 * Java 17, but writes their private layout and builds instances without their factories' checks (an
 * {@code Instant} with negative nanos). Here each is a fixed-size byte string built and checked by the
 * public API, so a bad value is an {@link IOException}. {@code BigDecimal} has a scalar, but its text is
 * read unbounded, and parsing it is quadratic in its length: the delegate caps it.
 */
final class JdkDelegates {

    private JdkDelegates() {}

    /** The delegates, keyed by the class they encode, bound to {@code strategy}. */
    static Map<Class<?>, HasDelegate<?>> register(IdStrategy strategy) {
        Map<Class<?>, HasDelegate<?>> delegates = new HashMap<>();
        for (Delegate<?> d : new Delegate<?>[] {
            new InstantDelegate(),
            new DurationDelegate(),
            new LocalDateDelegate(),
            new LocalDateTimeDelegate(),
            new UuidDelegate(),
            new BigDecimalDelegate(),
        }) {
            delegates.put(d.typeClass(), wrap(d, strategy));
        }
        return Map.copyOf(delegates);
    }

    private static <T> HasDelegate<T> wrap(Delegate<T> delegate, IdStrategy strategy) {
        return new HasDelegate<>(delegate, strategy);
    }

    /** A value written as a fixed number of bytes. */
    private abstract static class Fixed<V> implements Delegate<V> {

        private final Class<V> type;
        private final int size;

        Fixed(Class<V> type, int size) {
            this.type = type;
            this.size = size;
        }

        abstract void put(ByteBuffer buffer, V value);

        abstract V get(ByteBuffer buffer);

        @Override
        public final FieldType getFieldType() {
            return FieldType.BYTES;
        }

        @Override
        public final Class<?> typeClass() {
            return type;
        }

        @Override
        public final void writeTo(Output output, int number, V value, boolean repeated) throws IOException {
            ByteBuffer buffer = ByteBuffer.allocate(size);
            put(buffer, value);
            output.writeByteArray(number, buffer.array(), repeated);
        }

        @Override
        public final V readFrom(Input input) throws IOException {
            byte[] bytes = input.readByteArray();
            if (bytes.length != size) {
                throw new IOException("malformed payload: a " + type.getName() + " of " + bytes.length
                        + " bytes (expected: " + size + ")");
            }
            try {
                return get(ByteBuffer.wrap(bytes));
            } catch (DateTimeException | ArithmeticException e) {
                throw new IOException("malformed payload: invalid " + type.getName() + ": " + e.getMessage(), e);
            }
        }

        @Override
        public final void transfer(Pipe pipe, Input input, Output output, int number, boolean repeated)
                throws IOException {
            input.transferByteRangeTo(output, false, number, repeated);
        }
    }

    private static final class InstantDelegate extends Fixed<Instant> {

        InstantDelegate() {
            super(Instant.class, 12);
        }

        @Override
        void put(ByteBuffer buffer, Instant value) {
            buffer.putLong(value.getEpochSecond()).putInt(value.getNano());
        }

        @Override
        Instant get(ByteBuffer buffer) {
            long seconds = buffer.getLong();
            int nanos = buffer.getInt();
            if (nanos < 0 || nanos > 999_999_999) {
                throw new DateTimeException("nanos: " + nanos + " (expected: 0-999999999)");
            }
            return Instant.ofEpochSecond(seconds, nanos);
        }
    }

    private static final class DurationDelegate extends Fixed<Duration> {

        DurationDelegate() {
            super(Duration.class, 12);
        }

        @Override
        void put(ByteBuffer buffer, Duration value) {
            buffer.putLong(value.getSeconds()).putInt(value.getNano());
        }

        @Override
        Duration get(ByteBuffer buffer) {
            long seconds = buffer.getLong();
            int nanos = buffer.getInt();
            if (nanos < 0 || nanos > 999_999_999) {
                throw new DateTimeException("nanos: " + nanos + " (expected: 0-999999999)");
            }
            return Duration.ofSeconds(seconds, nanos);
        }
    }

    private static final class LocalDateDelegate extends Fixed<LocalDate> {

        LocalDateDelegate() {
            super(LocalDate.class, 8);
        }

        @Override
        void put(ByteBuffer buffer, LocalDate value) {
            buffer.putLong(value.toEpochDay());
        }

        @Override
        LocalDate get(ByteBuffer buffer) {
            return LocalDate.ofEpochDay(buffer.getLong());
        }
    }

    private static final class LocalDateTimeDelegate extends Fixed<LocalDateTime> {

        LocalDateTimeDelegate() {
            super(LocalDateTime.class, 16);
        }

        @Override
        void put(ByteBuffer buffer, LocalDateTime value) {
            buffer.putLong(value.toLocalDate().toEpochDay())
                    .putLong(value.toLocalTime().toNanoOfDay());
        }

        @Override
        LocalDateTime get(ByteBuffer buffer) {
            LocalDate date = LocalDate.ofEpochDay(buffer.getLong());
            return LocalDateTime.of(date, LocalTime.ofNanoOfDay(buffer.getLong()));
        }
    }

    private static final class UuidDelegate extends Fixed<UUID> {

        UuidDelegate() {
            super(UUID.class, 16);
        }

        @Override
        void put(ByteBuffer buffer, UUID value) {
            buffer.putLong(value.getMostSignificantBits()).putLong(value.getLeastSignificantBits());
        }

        @Override
        UUID get(ByteBuffer buffer) {
            return new UUID(buffer.getLong(), buffer.getLong());
        }
    }

    /** Its text, as protostuff's own scalar writes it, but bounded when read. */
    private static final class BigDecimalDelegate implements Delegate<BigDecimal> {

        @Override
        public FieldType getFieldType() {
            return FieldType.STRING;
        }

        @Override
        public Class<?> typeClass() {
            return BigDecimal.class;
        }

        @Override
        public void writeTo(Output output, int number, BigDecimal value, boolean repeated) throws IOException {
            output.writeString(number, value.toString(), repeated);
        }

        @Override
        public BigDecimal readFrom(Input input) throws IOException {
            String text = input.readString();
            if (text.length() > BoundedInput.MAX_BIG_DECIMAL_CHARS) {
                throw new IOException("malformed payload: a BigDecimal of " + text.length()
                        + " characters (expected: at most " + BoundedInput.MAX_BIG_DECIMAL_CHARS + ")");
            }
            try {
                return new BigDecimal(text);
            } catch (NumberFormatException e) {
                throw new IOException("malformed payload: invalid BigDecimal '" + text + "'", e);
            }
        }

        @Override
        public void transfer(Pipe pipe, Input input, Output output, int number, boolean repeated) throws IOException {
            input.transferByteRangeTo(output, true, number, repeated);
        }
    }
}
