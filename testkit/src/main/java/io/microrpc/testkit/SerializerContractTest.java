package io.microrpc.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.microrpc.spi.AllowedTypes;
import io.microrpc.spi.Serializer;
import io.microrpc.testkit.ContractTypes.Address;
import io.microrpc.testkit.ContractTypes.Color;
import io.microrpc.testkit.ContractTypes.Envelope;
import io.microrpc.testkit.ContractTypes.Innocuous;
import io.microrpc.testkit.ContractTypes.Person;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract every {@link Serializer} passes: round trips for every kind of declared type, values
 * back to back in one stream, nulls, refusal of classes outside {@link AllowedTypes} (without
 * initializing them), and an {@link IOException} (never a hang, another exception or an
 * {@code OutOfMemoryError}) for truncated and random input.
 *
 * <p>Subclass it in the serializer plugin's tests and implement {@link #newSerializer()}; put
 * format-specific tests in a class of their own.
 */
public abstract class SerializerContractTest {

    /** Allowed in every round trip: the JDK defaults and the contract's beans, not {@link Innocuous}. */
    protected static final AllowedTypes ALLOWED = AllowedTypes.builder()
            .add(Person.class)
            .add(Address.class)
            .add(Color.class)
            .add(Envelope.class)
            .build();

    protected Serializer serializer;

    /** A new instance of the serializer under test. */
    protected abstract Serializer newSerializer();

    @BeforeEach
    void createSerializer() {
        serializer = newSerializer();
    }

    // ---- helpers for subclasses

    protected byte[] write(Object value, Class<?> declaredType) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        serializer.write(out, value, declaredType);
        return out.toByteArray();
    }

    protected Object read(byte[] bytes, Class<?> declaredType, AllowedTypes allowed) throws IOException {
        return serializer.read(new ByteArrayInputStream(bytes), declaredType, allowed);
    }

    /** Writes and reads {@code value}, checking the read consumed exactly the bytes written. */
    protected Object roundTrip(Object value, Class<?> declaredType) throws IOException {
        ByteArrayInputStream in = new ByteArrayInputStream(write(value, declaredType));
        Object result = serializer.read(in, declaredType, ALLOWED);
        assertThat(in.available())
                .as("bytes left after reading a %s", declaredType.getName())
                .isZero();
        return result;
    }

    // ---- identity

    @Test
    void hasAStableIdAndAConfigurableName() {
        assertThat(serializer.id()).isBetween((byte) 1, (byte) 127);
        assertThat(serializer.name()).matches("[a-z0-9-]+");
        assertThat(newSerializer().id()).isEqualTo(serializer.id());
    }

    // ---- round trips

    static Stream<Arguments> scalars() {
        return Stream.of(
                Arguments.of(0, int.class),
                Arguments.of(-1, int.class),
                Arguments.of(Integer.MIN_VALUE, int.class),
                Arguments.of(Integer.MAX_VALUE, Integer.class),
                Arguments.of(0L, long.class),
                Arguments.of(Long.MIN_VALUE, long.class),
                Arguments.of(Long.MAX_VALUE, Long.class),
                Arguments.of(true, boolean.class),
                Arguments.of(false, Boolean.class),
                Arguments.of((byte) -128, byte.class),
                Arguments.of((byte) 127, Byte.class),
                Arguments.of(Short.MIN_VALUE, short.class),
                Arguments.of((short) 300, Short.class),
                Arguments.of('x', char.class),
                Arguments.of('\uffff', Character.class),
                Arguments.of(-0.0f, float.class),
                Arguments.of(Float.NaN, Float.class),
                Arguments.of(Math.PI, double.class),
                Arguments.of(Double.NEGATIVE_INFINITY, Double.class),
                Arguments.of("", String.class),
                Arguments.of("hello", String.class),
                Arguments.of("h\u00e9llo w\u00f6rld \u4e16\u754c \ud83d\ude00", String.class),
                Arguments.of(new byte[0], byte[].class),
                Arguments.of(new byte[] {0, -1, 127, -128}, byte[].class),
                Arguments.of(Color.GREEN, Color.class));
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("scalars")
    void scalarsRoundTrip(Object value, Class<?> declaredType) throws IOException {
        assertThat(roundTrip(value, declaredType)).isEqualTo(value);
    }

    @SuppressWarnings("JavaUtilDate") // serializers must still carry the JDK's Date
    static Stream<Arguments> jdkValues() {
        return Stream.of(
                Arguments.of(new BigDecimal("-12345678901234567890.000123"), BigDecimal.class),
                Arguments.of(new BigInteger("-98765432109876543210987654321"), BigInteger.class),
                Arguments.of(Instant.ofEpochSecond(1_700_000_000L, 123_456_789), Instant.class),
                Arguments.of(Duration.ofSeconds(-5, 7), Duration.class),
                Arguments.of(LocalDate.of(2024, 2, 29), LocalDate.class),
                Arguments.of(LocalDateTime.of(1999, 12, 31, 23, 59, 59, 999_999_999), LocalDateTime.class),
                Arguments.of(new Date(1_700_000_000_123L), Date.class),
                Arguments.of(UUID.fromString("123e4567-e89b-12d3-a456-426614174000"), UUID.class),
                Arguments.of(new int[] {1, -2, Integer.MAX_VALUE}, int[].class),
                Arguments.of(new long[] {Long.MIN_VALUE, 0}, long[].class),
                Arguments.of(new double[] {1.5, Double.NaN}, double[].class),
                Arguments.of(new boolean[] {true, false}, boolean[].class),
                Arguments.of(new String[] {"a", null, ""}, String[].class),
                Arguments.of(new Object[] {null, "a", 1, null}, Object[].class),
                Arguments.of(42, Object.class),
                Arguments.of("text", Object.class),
                Arguments.of(new BigDecimal("1.50"), Number.class));
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("jdkValues")
    void jdkValuesRoundTrip(Object value, Class<?> declaredType) throws IOException {
        assertThat(roundTrip(value, declaredType)).isEqualTo(value);
    }

    @Test
    void aBeanWithEveryKindOfFieldRoundTrips() throws IOException {
        Person person = Person.sample(7);

        assertThat(roundTrip(person, Person.class)).isEqualTo(person);
    }

    @Test
    void aBeanWithNullAndEmptyFieldsRoundTrips() throws IOException {
        Person empty = new Person();
        Person blanks = new Person();
        blanks.setName("");
        blanks.setTags(new ArrayList<>());
        blanks.setCounts(new HashMap<>());

        assertThat(roundTrip(empty, Person.class)).isEqualTo(empty);
        assertThat(roundTrip(blanks, Person.class)).isEqualTo(blanks);
    }

    @Test
    @SuppressWarnings("JdkObsolete") // a LinkedList is one of the implementations a serializer meets
    void collectionsDeclaredByTheirInterfaceRoundTrip() throws IOException {
        List<Person> people = new ArrayList<>(List.of(Person.sample(1), Person.sample(2), Person.sample(3)));
        Map<String, Person> byName = new LinkedHashMap<>(Map.of("one", Person.sample(1)));
        Set<String> set = new HashSet<>(List.of("x", "y"));

        assertThat(roundTrip(people, List.class)).isEqualTo(people);
        assertThat(roundTrip(new LinkedList<>(people), List.class)).isEqualTo(people);
        assertThat(roundTrip(byName, Map.class)).isEqualTo(byName);
        assertThat(roundTrip(new TreeMap<>(Map.of("b", 2, "a", 1)), Map.class)).isEqualTo(Map.of("a", 1, "b", 2));
        assertThat(roundTrip(set, Set.class)).isEqualTo(set);
        assertThat(roundTrip(new TreeSet<>(set), Set.class)).isEqualTo(set);
        assertThat(roundTrip(people, Object.class)).isEqualTo(people);
    }

    @Test
    void collectionsFromTheJdkFactoriesRoundTrip() throws IOException {
        // What services typically return; their classes have no public constructor.
        assertThat(roundTrip(List.of("a", "b"), List.class)).isEqualTo(List.of("a", "b"));
        assertThat(roundTrip(Map.of("k", 1), Map.class)).isEqualTo(Map.of("k", 1));
        assertThat(roundTrip(Set.of(1, 2), Set.class)).isEqualTo(Set.of(1, 2));
        assertThat(roundTrip(Collections.emptyList(), List.class)).isEqualTo(List.of());
        assertThat(roundTrip(Collections.singletonList("x"), List.class)).isEqualTo(List.of("x"));
        assertThat(roundTrip(Collections.unmodifiableMap(new HashMap<>(Map.of("k", "v"))), Map.class))
                .isEqualTo(Map.of("k", "v"));
        assertThat(roundTrip(Arrays.asList("a", "b"), List.class)).isEqualTo(List.of("a", "b"));
        assertThat(roundTrip(new HashMap<>(Map.of("k", 1)).keySet(), Set.class)).isEqualTo(Set.of("k"));
    }

    @Test
    void nullElementsKeepTheirPlace() throws IOException {
        List<String> withNulls = Arrays.asList("a", null, null, "d", null);
        Map<String, Object> nullKeyAndValue = new HashMap<>();
        nullKeyAndValue.put(null, "v");
        nullKeyAndValue.put("k", null);
        Person person = Person.sample(2);
        person.setTags(new ArrayList<>(withNulls));
        person.getCounts().put("none", null);

        assertThat(roundTrip(new ArrayList<>(withNulls), List.class)).isEqualTo(withNulls);
        assertThat(roundTrip(nullKeyAndValue, Map.class)).isEqualTo(nullKeyAndValue);
        assertThat(roundTrip(person, Person.class)).isEqualTo(person);
        assertThat(roundTrip(new Integer[] {null, 2, null}, Integer[].class)).isEqualTo(new Integer[] {null, 2, null});
    }

    @Test
    void objectTypedFieldsCarryTheirConcreteClass() throws IOException {
        for (Object payload : new Object[] {
            new Address("s", "c", 1),
            Person.sample(4),
            "text",
            12L,
            Color.BLUE,
            List.of(new Address("a", "b", 2)),
            Map.of("k", new Address("x", "y", 3)),
            new int[] {1, 2}
        }) {
            Envelope envelope = new Envelope("label", payload);
            Envelope back = (Envelope) roundTrip(envelope, Envelope.class);
            assertThat(back).as("envelope of %s", payload).isEqualTo(envelope);
        }
    }

    @Test
    void nullRoundTripsForEveryKindOfDeclaredType() throws IOException {
        for (Class<?> type : List.of(
                Integer.class,
                String.class,
                byte[].class,
                Color.class,
                Person.class,
                List.class,
                Map.class,
                Object.class,
                Instant.class,
                int[].class)) {
            assertThat(roundTrip(null, type)).as("null as %s", type.getName()).isNull();
        }
    }

    @Test
    void largeByteArraysRoundTrip() throws IOException {
        byte[] big = new byte[4 * 1024 * 1024 + 3];
        new Random(1).nextBytes(big);

        assertThat((byte[]) roundTrip(big, byte[].class)).isEqualTo(big);
    }

    @Test
    void valuesWrittenBackToBackAreReadInOrder() throws IOException {
        Object[] values = {
            42, "", Person.sample(9), null, List.of(Person.sample(10)), new byte[] {9, 8}, Color.RED, "last"
        };
        Class<?>[] types = {
            int.class, String.class, Person.class, Person.class, List.class, byte[].class, Color.class, String.class
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < values.length; i++) {
            serializer.write(out, values[i], types[i]);
        }
        out.write(new byte[] {1, 2, 3}); // whatever follows in the frame is not the serializer's

        ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
        for (int i = 0; i < values.length; i++) {
            assertThat(serializer.read(in, types[i], ALLOWED)).as("value %s", i).isEqualTo(values[i]);
        }
        assertThat(in.readAllBytes()).containsExactly(1, 2, 3);
    }

    @Test
    void isSafeToShareBetweenThreads() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Object>> results = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                long id = i;
                Callable<Object> call = () -> roundTrip(List.of(Person.sample(id)), List.class);
                results.add(pool.submit(call));
            }
            for (int i = 0; i < results.size(); i++) {
                assertThat(results.get(i).get()).isEqualTo(List.of(Person.sample(i)));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- safety

    @Test
    void aClassOutsideTheAllowedTypesIsRefusedNamingIt() throws IOException {
        byte[] bytes = write(new Envelope("x", new Innocuous("hi")), Envelope.class);

        assertThatThrownBy(() -> read(bytes, Envelope.class, ALLOWED))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(Innocuous.class.getName());
        assertThat(((Envelope) read(
                                bytes,
                                Envelope.class,
                                ALLOWED.toBuilder().add(Innocuous.class).build()))
                        .payload())
                .isInstanceOf(Innocuous.class);
    }

    @Test
    void aRefusedClassIsNeverInitialized() throws IOException {
        // Innocuous and Forbidden have names of equal length: swapping one for the other keeps the
        // payload well-formed for any format that writes class names as UTF-8.
        String innocuous = Innocuous.class.getName();
        String forbidden = innocuous.replace("Innocuous", "Forbidden");
        byte[] bytes = write(new Envelope("x", new Innocuous("hi")), Envelope.class);
        int at = indexOf(bytes, innocuous.getBytes(StandardCharsets.UTF_8));
        assumeTrue(at >= 0, "the format does not write class names as UTF-8");
        byte[] name = forbidden.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(name, 0, bytes, at, name.length);

        Throwable thrown = catchThrowable(() -> read(bytes, Envelope.class, ALLOWED));

        assertThat(thrown).isInstanceOf(IOException.class).hasMessageContaining(forbidden);
        assertThat(ContractTypes.FORBIDDEN_INITIALIZED)
                .as("Forbidden's static initializer ran")
                .isFalse();
    }

    @Test
    void truncatedInputFailsWithAnIOException() throws IOException {
        byte[] bytes = write(List.of(Person.sample(3), Person.sample(4)), List.class);

        for (int length = 0; length < bytes.length; length++) {
            byte[] truncated = Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> read(truncated, List.class, ALLOWED))
                    .as("the first %s of %s bytes", length, bytes.length)
                    .isInstanceOf(IOException.class);
        }
    }

    @Test
    void randomBytesFailWithAnIOExceptionOrReadAsSomething() {
        Class<?>[] types = {
            Person.class,
            Envelope.class,
            List.class,
            Map.class,
            Object.class,
            String.class,
            int.class,
            byte[].class,
            Color.class,
            int[].class,
            Instant.class
        };
        Random random = new Random(20240601);
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int i = 0; i < 1000; i++) {
                byte[] garbage = new byte[random.nextInt(300)];
                random.nextBytes(garbage);
                for (Class<?> type : types) {
                    readGarbage(garbage, type);
                }
            }
        });
    }

    @Test
    void corruptedPayloadsFailWithAnIOExceptionOrReadAsSomething() throws IOException {
        Object[] values = {
            Person.sample(5),
            new Envelope("e", List.of(new Address("a", "b", 1), Map.of("k", 2))),
            List.of(Person.sample(6)),
            Map.of("k", Person.sample(7)),
            new Object[] {1, "two", null, new int[] {3}}
        };
        Class<?>[] types = {Person.class, Envelope.class, List.class, Map.class, Object.class};
        Random random = new Random(7);
        List<byte[]> originals = new ArrayList<>();
        for (int v = 0; v < values.length; v++) {
            originals.add(write(values[v], types[v]));
        }
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int i = 0; i < 1000; i++) {
                int v = i % values.length;
                byte[] corrupted = originals.get(v).clone();
                for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                    corrupted[random.nextInt(corrupted.length)] = (byte) random.nextInt(256);
                }
                readGarbage(corrupted, types[v]);
            }
        });
    }

    private void readGarbage(byte[] garbage, Class<?> type) {
        Object value;
        try {
            value = read(garbage, type, ALLOWED);
        } catch (IOException expected) {
            return; // the well-defined failure
        } catch (RuntimeException | Error e) {
            throw new AssertionError(
                    "reading " + Arrays.toString(garbage) + " as " + type.getName() + " threw " + e
                            + " instead of an IOException",
                    e);
        }
        if (value != null && !type.isPrimitive()) {
            assertThat(value).as("what %s read as", Arrays.toString(garbage)).isInstanceOf(type);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
