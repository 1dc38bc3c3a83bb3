package io.microrpc.plugin.codec.protostuff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.sun.management.ThreadMXBean;
import io.microrpc.demo.api.Gender;
import io.microrpc.demo.api.User;
import io.microrpc.demo.api.UserNotFoundException;
import io.microrpc.plugin.codec.protostuff.FormatTypes.Animal;
import io.microrpc.plugin.codec.protostuff.FormatTypes.Cat;
import io.microrpc.plugin.codec.protostuff.FormatTypes.Cup;
import io.microrpc.plugin.codec.protostuff.FormatTypes.Link;
import io.microrpc.plugin.codec.protostuff.FormatTypes.Saucer;
import io.microrpc.plugin.codec.protostuff.FormatTypes.Shape;
import io.microrpc.plugin.codec.protostuff.FormatTypes.Square;
import io.microrpc.plugin.codec.protostuff.FormatTypes.Survey;
import io.microrpc.plugin.codec.protostuff.FormatTypes.Zoo;
import io.microrpc.spi.AllowedTypes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.math.BigDecimal;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What the protostuff format adds to the serializer contract: its wire shape and its bounds. */
class ProtostuffFormatTest {

    private static final AllowedTypes USERS =
            AllowedTypes.builder().add(User.class).add(Gender.class).build();

    private final ProtostuffSerializer serializer = new ProtostuffSerializer();

    // ---- the demo payload

    @Test
    void aUserWithEveryFieldRoundTripsWithoutItsClassName() throws IOException {
        User user = user(42);

        byte[] bytes = write(user, User.class);

        assertThat(read(bytes, User.class, USERS)).isEqualTo(user);
        assertThat(new String(bytes, StandardCharsets.ISO_8859_1))
                .doesNotContain(User.class.getName())
                .as("enums travel by name")
                .contains("FEMALE");
    }

    @Test
    void aPageOfUsersRoundTrips() throws IOException {
        List<User> page = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            page.add(user(i));
        }
        page.get(3).setTags(null);
        page.get(4).setAttributes(new HashMap<>());
        page.get(5).setName("");

        assertThat(read(write(page, List.class), List.class, USERS)).isEqualTo(page);
    }

    @Test
    void aUserIsReadEvenWhenTheAllowedTypesDoNotListIt() throws IOException {
        // The declared type itself may always be instantiated; only payload-named classes need allowing.
        assertThat(read(
                        write(user(1), User.class),
                        User.class,
                        AllowedTypes.builder().add(Gender.class).build()))
                .isEqualTo(user(1));
    }

    // ---- wire shape

    @Test
    void scalarsAreBareAndNullIsOneByte() throws IOException {
        assertThat(write(null, User.class)).containsExactly(0);
        assertThat(write(1, int.class)).containsExactly(2, 2);
        assertThat(write(-1L, long.class)).containsExactly(2, 1);
        assertThat(write("", String.class)).containsExactly(1);
        assertThat(write("ab", String.class)).containsExactly(3, 'a', 'b');
        assertThat(write(Gender.MALE, Gender.class)).containsExactly(5, 'M', 'A', 'L', 'E');
    }

    @Test
    void jdkCollectionsWithoutAPublicClassAreWrittenAsTheirPortableClass() throws IOException {
        Map<String, Integer> concurrent = new ConcurrentHashMap<>(Map.of("a", 1, "b", 2));
        ArrayDeque<String> deque = new ArrayDeque<>(List.of("x", "y"));

        Object map = read(write(concurrent, Map.class), Map.class, AllowedTypes.jdkOnly());
        Object collection = read(write(deque, Object.class), Object.class, AllowedTypes.jdkOnly());

        assertThat(map).isInstanceOf(LinkedHashMap.class).isEqualTo(concurrent);
        assertThat(collection).isInstanceOf(ArrayList.class).isEqualTo(List.of("x", "y"));
    }

    @Test
    void aHolderMustHoldTheDeclaredType() throws IOException {
        byte[] text = write("text", Object.class);

        assertThatThrownBy(() -> read(text, List.class, USERS))
                .isInstanceOf(IOException.class)
                .hasMessage("payload holds a java.lang.String where java.util.List is declared");
    }

    // ---- enums: by name, and only constants the reader's enum has

    @Test
    void anUnknownEnumConstantIsRefused() {
        byte[] bytes = {7, 'S', 'E', 'C', 'R', 'E', 'T'};

        assertThatThrownBy(() -> read(bytes, Gender.class, USERS))
                .isInstanceOf(IOException.class)
                .hasMessage(
                        "malformed payload: unknown constant 'SECRET' of enum io.microrpc.demo.api.Gender "
                                + "(expected: one of [FEMALE, MALE, OTHER, UNDISCLOSED]; is the other side on another version?)");
    }

    @Test
    void aUserWithAnUnknownGenderIsRefusedNotReadAsNull() throws IOException {
        // The case: gender="ROOT" was read as a user without a gender.
        byte[] bytes = replace(write(user(1), User.class), lengthDelimited("FEMALE"), lengthDelimited("ROOT"));

        assertThatThrownBy(() -> read(bytes, User.class, USERS))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("unknown constant 'ROOT' of enum " + Gender.class.getName());
    }

    @Test
    void enumsInEveryPositionRoundTrip() throws IOException {
        for (String position : SURVEY_POSITIONS) {
            Survey survey = survey(position, Gender.OTHER);

            assertThat(read(write(survey, Survey.class), Survey.class, SURVEYS))
                    .as(position)
                    .usingRecursiveComparison()
                    .isEqualTo(survey);
        }
    }

    @ParameterizedTest
    @MethodSource("surveyPositions")
    void anUnknownConstantIsRefusedInEveryPosition(String position) throws IOException {
        byte[] bytes = swap(write(survey(position, Gender.MALE), Survey.class), "MALE", "ROOT");

        assertThatThrownBy(() -> read(bytes, Survey.class, SURVEYS))
                .as(position)
                .isInstanceOf(IOException.class)
                .hasMessageContaining("unknown constant 'ROOT' of enum " + Gender.class.getName());
    }

    @Test
    void anEnumSentByNumberIsRefusedWhateverTheNumber() throws IOException {
        // User.gender is field 10: tag 0x52 as a string, 0x50 as a varint (protostuff's by-number encoding).
        byte[] user = write(user(1), User.class);
        byte[] byName = concat(new byte[] {0x52}, lengthDelimited("FEMALE"));
        byte[] outOfRange = replace(user, byName, new byte[] {0x50, 0x07});
        byte[] inRange = replace(user, byName, new byte[] {0x50, 0x01});
        byte[] negative = replace(user, byName, concat(new byte[] {0x50}, varint(-1)));

        assertThatThrownBy(() -> read(outOfRange, User.class, USERS))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("enum " + Gender.class.getName() + " sent by number 7");
        assertThatThrownBy(() -> read(inRange, User.class, USERS))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("enum " + Gender.class.getName() + " sent by number 1")
                .hasMessageContaining("by name only");
        assertThatThrownBy(() -> read(negative, User.class, USERS))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("sent by number -1");
    }

    @Test
    void anEnumInAListSentByNumberIsRefused() throws IOException {
        // A list element is field 1 of the collection: tag 0x0a as a string, 0x08 as a varint.
        byte[] bytes = replace(
                write(survey("list", Gender.MALE), Survey.class),
                concat(new byte[] {0x0a}, lengthDelimited("MALE")),
                new byte[] {0x08, 0x63});

        assertThatThrownBy(() -> read(bytes, Survey.class, SURVEYS))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("enum " + Gender.class.getName() + " sent by number 99");
    }

    @Test
    void aHugeUnknownConstantIsNamedByItsStartAndLength() throws IOException {
        String huge = "X".repeat(100_000);
        byte[] root = concat(varint(huge.length() + 1), huge.getBytes(StandardCharsets.US_ASCII));
        byte[] field = replace(write(user(1), User.class), lengthDelimited("FEMALE"), lengthDelimited(huge));

        for (byte[] bytes : List.of(root, field)) {
            assertThatThrownBy(() -> read(bytes, bytes == root ? Gender.class : User.class, USERS))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("unknown constant '" + "X".repeat(64) + "...' (100000 characters)")
                    .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(400));
        }
    }

    @Test
    void aNullForAPrimitiveReadsAsNull() throws IOException {
        // The kernel rejects it with the method in hand; the serializer only reports what was sent.
        assertThat(read(new byte[] {0}, int.class, USERS)).isNull();
    }

    @Test
    void bytesAfterTheEndOfAValueInsideItsFrameAreRefused() throws IOException {
        byte[] bytes = write(user(1), User.class);
        // a stray end-of-group ends the value early; the byte after it is left over
        byte[] padded =
                frame(concat(Arrays.copyOfRange(bytes, prefixLength(bytes), bytes.length), new byte[] {0x0c, 0x01}));

        assertThatThrownBy(() -> read(padded, User.class, USERS))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("1 bytes after the end of the value");
    }

    // ---- refusal

    @Test
    void theRefusalSaysHowToAllowTheClass() throws IOException {
        byte[] bytes = write(List.of(user(1)), List.class);

        assertThatThrownBy(() -> read(bytes, List.class, AllowedTypes.jdkOnly()))
                .isInstanceOf(IOException.class)
                .hasMessage("payload names class io.microrpc.demo.api.User, which is not an allowed type; add it "
                        + "to serializer.allowed-types or use it in an exported interface");
    }

    @Test
    void aHugeClassNameIsNamedByItsStartAndLength() {
        // holder field 1 (group) > ObjectSchema's pojo id, field 127 > the name
        String name = "com.example." + "X".repeat(100_000);
        byte[] body = concat(
                new byte[] {0x0b, (byte) 0xfa, 0x07},
                varint(name.length()),
                name.getBytes(StandardCharsets.US_ASCII),
                new byte[] {0x0c});

        assertThatThrownBy(() -> read(frame(body), Object.class, USERS))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("payload names class com.example.XXX")
                .hasMessageContaining("X... (100012 characters), which is not an allowed type")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(300));
    }

    @Test
    void jdkCollectionsOutsideTheAllowedTypesAreRefusedToo() {
        // A foreign writer may name ConcurrentHashMap by protostuff's short id.
        byte[] body = concat(
                new byte[] {0x0b, (byte) 0xd2, 0x01, 17},
                "ConcurrentHashMap".getBytes(StandardCharsets.US_ASCII),
                new byte[] {0x0c});

        assertThatThrownBy(() -> read(frame(body), Object.class, AllowedTypes.jdkOnly()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("java.util.concurrent.ConcurrentHashMap, which is not an allowed type");
    }

    @Test
    void aFieldOnlyAcceptsItsDeclaredType() throws IOException {
        AllowedTypes allowed = AllowedTypes.builder()
                .add(Zoo.class)
                .add(Animal.class)
                .add(Cat.class)
                .add(Cup.class)
                .add(Shape.class)
                .add(Square.class)
                .add(Saucer.class)
                .add(Shape[].class)
                .build();
        Zoo zoo = new Zoo();
        zoo.pet = new Cat();
        zoo.shape = new Square();
        zoo.shapes = new Shape[] {new Square(), null};
        assertThat(((Zoo) read(write(zoo, Zoo.class), Zoo.class, allowed)).shapes)
                .satisfiesExactly(
                        s -> assertThat(s).isInstanceOf(Square.class),
                        s -> assertThat(s).isNull());
        // An array element of the wrong type fails in the JVM's own store check; swap the fields only.
        zoo.shapes = null;
        byte[] bytes = write(zoo, Zoo.class);
        assertThat(read(bytes, Zoo.class, allowed)).isInstanceOf(Zoo.class);

        byte[] cupForCat = swap(bytes, Cat.class.getName(), Cup.class.getName());
        assertThatThrownBy(() -> read(cupForCat, Zoo.class, allowed))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("a " + Cup.class.getName() + " in " + Zoo.class.getName() + ".pet, declared "
                        + Animal.class.getName());

        byte[] saucerForSquare = swap(bytes, Square.class.getName(), Saucer.class.getName());
        assertThatThrownBy(() -> read(saucerForSquare, Zoo.class, allowed))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("declared " + Shape.class.getName());
    }

    @Test
    void exceptionsAreNotReadAsValues() {
        // UserNotFoundException is in every UserService's allowed types (a declared exception).
        String name = "io.microrpc.demo.api.UserNotFoundException";
        byte[] body = concat(
                new byte[] {0x0b, (byte) 0xfa, 0x07, (byte) name.length()},
                name.getBytes(StandardCharsets.US_ASCII),
                new byte[] {0x0c});
        AllowedTypes allowed =
                AllowedTypes.builder().add(UserNotFoundException.class).build();

        assertThatThrownBy(() -> read(frame(body), Object.class, allowed))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("exception " + name);
    }

    // ---- bounds

    @Test
    void anArrayLongerThanItsPayloadIsRefusedBeforeItIsAllocated() throws IOException {
        byte[] longs = write(new long[] {7, 8, 9}, Object.class);
        // 200 million longs would need 1.6 GB
        byte[] bomb = replace(longs, new byte[] {0x08, 0x03}, concat(new byte[] {0x08}, varint(200_000_000)));
        byte[] objects = write(new Object[] {"x", null}, Object.class);
        byte[] objectBomb = replace(objects, new byte[] {0x18, 0x02}, concat(new byte[] {0x18}, varint(200_000_000)));

        assertThatThrownBy(() -> read(bomb, Object.class, USERS))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("declares 200000000 elements");
        assertThatThrownBy(() -> read(objectBomb, Object.class, USERS))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("declares 200000000 elements");
    }

    @Test
    void aRunOfNullsLongerThanTheBudgetIsRefused() throws IOException {
        byte[] list = write(new ArrayList<>(Arrays.asList("a", null)), List.class);
        byte[] bomb = replace(
                list, new byte[] {0x10, 0x01, 0x0c}, concat(new byte[] {0x10}, varint(500_000_000), new byte[] {0x0c}));

        assertThatThrownBy(() -> read(bomb, List.class, USERS))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("declares 500000000 elements");
    }

    @Test
    void runsOfNullsWithinTheAllowanceAreFine() throws IOException {
        List<String> nulls = new ArrayList<>(Arrays.asList(new String[BoundedInput.NULL_ALLOWANCE / 2]));
        nulls.add("end");

        assertThat(read(write(nulls, List.class), List.class, USERS)).isEqualTo(nulls);
    }

    @Test
    void objectsNestedDeeperThanTheLimitAreRefused() throws IOException {
        AllowedTypes allowed = AllowedTypes.builder().add(Link.class).build();

        assertThat(read(write(Link.chain(BoundedInput.MAX_DEPTH / 2), Link.class), Link.class, allowed))
                .isInstanceOf(Link.class);
        byte[] deep = write(Link.chain(BoundedInput.MAX_DEPTH * 2), Link.class);
        assertThatThrownBy(() -> read(deep, Link.class, allowed))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("nested deeper than " + BoundedInput.MAX_DEPTH);
    }

    @Test
    void deeplyNestedUnknownGroupsAreRefusedNotOverflowed() {
        // 100,000 opening tags of an unknown field 100: ByteArrayInput alone would recurse 100,000 deep
        byte[] body = new byte[200_000];
        for (int i = 0; i < body.length; i += 2) {
            body[i] = (byte) 0xa3;
            body[i + 1] = 0x06;
        }

        assertThatThrownBy(() -> read(frame(body), User.class, USERS))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("nested deeper than");
    }

    @Test
    void longBigDecimalsAreRefusedBeforeTheQuadraticParse() throws IOException {
        String digits = "9".repeat(1_000_000); // about ten seconds in new BigDecimal(String)
        // holder field 1 (group) > ObjectSchema's BigDecimal field 12 > the text
        byte[] inline = frame(concat(
                new byte[] {0x0b, 0x62},
                varint(digits.length()),
                digits.getBytes(StandardCharsets.US_ASCII),
                new byte[] {0x0c}));
        byte[] delegated = write(new BigDecimal("9".repeat(BoundedInput.MAX_BIG_DECIMAL_CHARS + 1)), Number.class);

        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertThatThrownBy(() -> read(inline, Number.class, USERS))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("a BigDecimal of 1000000 characters");
            assertThatThrownBy(() -> read(delegated, Object.class, USERS))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("a BigDecimal of 1001 characters");
        });
        BigDecimal longest = new BigDecimal("9".repeat(BoundedInput.MAX_BIG_DECIMAL_CHARS));
        assertThat(read(write(longest, BigDecimal.class), BigDecimal.class, USERS))
                .isEqualTo(longest);
    }

    /**
     * Found by ProtostuffPayloadFuzzTest (seed 20261210, input 7834), minimized: protostuff's plain-object
     * id (field 127) naming an allowed JDK class made protostuff build it field by field, skipping the
     * checks of its factories: an {@code Instant} past {@code Instant.MAX} (which this serializer then
     * refused to read back), a {@code String} whose UTF-16 bytes are odd in number.
     */
    @Test
    void jdkClassesNamedAsPlainObjectsAreRefused() {
        byte[] instant = concat(
                new byte[] {0x0b, (byte) 0xfa, 0x07, 17},
                "java.time.Instant".getBytes(StandardCharsets.US_ASCII),
                new byte[] {
                    0x08,
                    (byte) 0xff,
                    (byte) 0xff,
                    (byte) 0xff,
                    (byte) 0xff,
                    (byte) 0xff,
                    (byte) 0xff,
                    (byte) 0xff,
                    (byte) 0xff,
                    0x7f,
                    0x0c
                });
        byte[] string = concat(
                new byte[] {0x0b, (byte) 0xfa, 0x07, 16},
                "java.lang.String".getBytes(StandardCharsets.US_ASCII),
                new byte[] {0x0a, 0x03, 'a', 'b', 'c', 0x10, 0x01, 0x0c});

        assertThatThrownBy(() -> read(frame(instant), Object.class, USERS))
                .isInstanceOf(IOException.class)
                .hasMessage("malformed payload: java.time.Instant named as a plain object; JDK classes are only read "
                        + "through their own encodings (scalars, collections, java.time values), never field by field");
        assertThatThrownBy(() -> read(frame(string), Object.class, USERS))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("java.lang.String named as a plain object");
    }

    /**
     * Found by ProtostuffPayloadFuzzTest (seed 20261210, input 63321), minimized: protostuff builds its own
     * ByteString, alone (type id 10) or in an array (type id 33 with scalar id 9), from a numeric id in an
     * {@code Object} position, not from a class name the allow-list would have refused.
     */
    @Test
    void protostuffsByteStringsAreNotReadAsValues() {
        byte[] alone = {0x0b, 0x52, 0x01, 'a', 0x0c};
        byte[] array = {0x0b, (byte) 0x88, 0x02, 0x11, 0x08, 0x01, 0x12, 0x01, 'a', 0x0c};

        assertThatThrownBy(() -> read(frame(alone), Object.class, USERS))
                .isInstanceOf(IOException.class)
                .hasMessage(
                        "malformed payload: protostuff's ByteString (type id 10) is not an allowed type; bytes travel "
                                + "as byte[]");
        assertThatThrownBy(() -> read(frame(array), Object.class, USERS))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("protostuff's ByteString array is not an allowed type");
    }

    /**
     * Found by ProtostuffPayloadFuzzTest (seed 20261210, input 71888), minimized: protostuff's
     * ByteArrayInput checks a field's length as {@code offset + size > limit}, which overflows for a size
     * near 2^31, and then allocated the size: a 12-byte Instant declared as 2^31 - 1 bytes threw
     * OutOfMemoryError, one of 2^31 - 9 bytes allocated 2 GiB before failing.
     */
    @Test
    void aFieldLengthNear2To31IsRefusedBeforeItIsAllocated() throws IOException {
        byte[] name = "java.time.Instant".getBytes(StandardCharsets.US_ASCII);
        byte[] maxInt = frame(concat(new byte[] {0x0b, (byte) 0xf2, 0x01, 17}, name, new byte[] {
            0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 0x00, 0x0c
        }));
        byte[] allocatable = frame(concat(new byte[] {0x0b, (byte) 0xf2, 0x01, 17}, name, new byte[] {
            0x0a, (byte) 0xf7, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 0x00, 0x0c
        }));
        byte[] userName = frame(new byte[] {0x12, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 'a', 'b'});

        assertThatThrownBy(() -> read(maxInt, Object.class, USERS))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("a field of 2147483647 bytes, only 2 left in the value");
        assertThatThrownBy(() -> read(userName, User.class, USERS))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("a field of 2147483647 bytes, only 2 left in the value");
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        assertThatThrownBy(() -> read(allocatable, Object.class, USERS))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("a field of 2147483639 bytes");
        assertThat(threads.getCurrentThreadAllocatedBytes() - before).isLessThan(1024 * 1024);
    }

    /**
     * Found by ProtostuffPayloadFuzzTest (seed 1, input 23300), minimized: a map in an {@code Object} position
     * whose value is an enum constant the enum does not have. Protostuff reads the constant as null, and
     * then an {@code assert} in its map reader fails. In a JVM run with {@code -ea} (every test run; some
     * servers) that was an AssertionError out of the serializer, which the server's dispatcher does not
     * catch: no answer, and the call never left its in-flight count.
     */
    @Test
    void aMapValueThatReadsAsNothingIsAnIOExceptionEvenWithAssertionsOn() {
        byte[] body = concat(
                new byte[] {0x0b, (byte) 0xd2, 0x01, 7},
                "HashMap".getBytes(StandardCharsets.US_ASCII),
                new byte[] {0x0b, 0x0b, 0x4a, 0x01, 'a', 0x0c, 0x13, (byte) 0xc2, 0x01, 27},
                "io.microrpc.demo.api.Gender".getBytes(StandardCharsets.US_ASCII),
                new byte[] {0x0a, 0x01, 'X', 0x14, 0x0c, 0x0c});

        assertThatThrownBy(() -> read(frame(body), Object.class, USERS)).isInstanceOf(IOException.class);
    }

    @Test
    void protostuffsReflectiveEncodingOfCollectionsWrappersIsRefused() {
        // ObjectSchema field 28 (a java.util.Collections wrapper); reading it would fail protostuff's
        // class initializer on Java 17
        byte[] body = {0x0b, (byte) 0xe0, 0x01, 0x00, 0x0c};

        assertThatThrownBy(() -> read(frame(body), Object.class, USERS))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("java.util.Collections wrapper");
    }

    @Test
    void aDeclaredLengthBeyondTheStreamIsATruncationNotAnAllocation() {
        byte[] bytes = concat(varint(Integer.MAX_VALUE), new byte[] {1, 2, 3});

        assertThatThrownBy(() -> read(bytes, byte[].class, USERS))
                .isInstanceOf(IOException.class)
                .hasMessage("truncated payload: a value declares 2147483646 bytes, only 3 remain");
    }

    // ---- no leaks

    @Test
    void keepsNoApplicationClassOnceTheSerializerIsDropped() throws Exception {
        WeakReference<ClassLoader> loader = useClassFromThrowawayLoader();

        for (int i = 0; i < 20 && loader.get() != null; i++) {
            System.gc();
        }
        assertThat(loader.get())
                .as("the application's class loader, after the serializer was dropped")
                .isNull();
    }

    private static WeakReference<ClassLoader> useClassFromThrowawayLoader() throws Exception {
        URL classes = LeakProbe.class.getProtectionDomain().getCodeSource().getLocation();
        URLClassLoader loader = new URLClassLoader(new URL[] {classes}, ProtostuffFormatTest.class.getClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                // child first for the probe, so it is a class of this loader alone
                if (name.equals(LeakProbe.class.getName())) {
                    synchronized (getClassLoadingLock(name)) {
                        Class<?> c = findLoadedClass(name);
                        return c != null ? c : findClass(name);
                    }
                }
                return super.loadClass(name, resolve);
            }
        };
        Class<?> probe = loader.loadClass(LeakProbe.class.getName());
        assertThat(probe).isNotSameAs(LeakProbe.class);
        ProtostuffSerializer serializer = new ProtostuffSerializer();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        serializer.write(out, List.of(probe.getConstructor().newInstance()), List.class);
        Object back = serializer.read(
                new ByteArrayInputStream(out.toByteArray()),
                List.class,
                AllowedTypes.builder().add(probe).build());
        assertThat(((List<?>) back).get(0).getClass()).isSameAs(probe);
        loader.close();
        return new WeakReference<>(loader);
    }

    // ---- helpers

    private static final List<String> SURVEY_POSITIONS =
            List.of("single", "list", "keys", "values", "array", "any", "anyList");
    private static final AllowedTypes SURVEYS = AllowedTypes.builder()
            .add(Survey.class)
            .add(Gender.class)
            .add(Gender[].class)
            .build();

    static List<String> surveyPositions() {
        return SURVEY_POSITIONS;
    }

    /** A survey with {@code gender} in one position only, so its bytes name it once. */
    private static Survey survey(String position, Gender gender) {
        Survey s = new Survey();
        switch (position) {
            case "single" -> s.single = gender;
            case "list" -> s.list = new ArrayList<>(List.of(gender));
            case "keys" -> s.keys = new HashMap<>(Map.of(gender, "k"));
            case "values" -> s.values = new HashMap<>(Map.of("v", gender));
            case "array" -> s.array = new Gender[] {gender};
            case "any" -> s.any = gender;
            case "anyList" -> s.anyList = new ArrayList<>(List.of(gender));
            default -> throw new IllegalArgumentException(position);
        }
        return s;
    }

    /** {@code text} as protostuff writes a string value: its length, then UTF-8. */
    private static byte[] lengthDelimited(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        return concat(varint(utf8.length), utf8);
    }

    private static User user(long id) {
        User user = new User();
        user.setId(id);
        user.setName("user-" + id);
        user.setEmail("user" + id + "@example.com");
        user.setAge(30);
        user.setActive(true);
        user.setBalance(12.5 * id);
        user.setCreatedAtMillis(1_700_000_000_000L + id);
        user.setCity("Lisbon");
        user.setCountry("PT");
        user.setGender(Gender.FEMALE);
        user.setTags(new ArrayList<>(List.of("a", "b")));
        user.setAttributes(new HashMap<>(Map.of("tier", "pro")));
        return user;
    }

    private byte[] write(Object value, Class<?> type) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        serializer.write(out, value, type);
        return out.toByteArray();
    }

    private Object read(byte[] bytes, Class<?> type, AllowedTypes allowed) throws IOException {
        ByteArrayInputStream in = new ByteArrayInputStream(bytes);
        Object value = serializer.read(in, type, allowed);
        assertThat(in.available()).isZero();
        return value;
    }

    /** {@code body} with its length prefix. */
    private static byte[] frame(byte[] body) {
        return concat(varint(body.length + 1), body);
    }

    private static int prefixLength(byte[] framed) {
        int n = 0;
        while ((framed[n] & 0x80) != 0) {
            n++;
        }
        return n + 1;
    }

    /** {@code framed} with the first {@code from} in its body replaced by {@code to}, re-framed. */
    private static byte[] replace(byte[] framed, byte[] from, byte[] to) {
        byte[] body = Arrays.copyOfRange(framed, prefixLength(framed), framed.length);
        int at = indexOf(body, from);
        assertThat(at)
                .as("pattern %s in %s", Arrays.toString(from), Arrays.toString(body))
                .isNotNegative();
        return frame(
                concat(Arrays.copyOfRange(body, 0, at), to, Arrays.copyOfRange(body, at + from.length, body.length)));
    }

    private static byte[] swap(byte[] bytes, String name, String replacement) {
        assertThat(replacement).hasSameSizeAs(name);
        byte[] copy = bytes.clone();
        byte[] from = name.getBytes(StandardCharsets.US_ASCII);
        byte[] to = replacement.getBytes(StandardCharsets.US_ASCII);
        int swapped = 0;
        for (int at = indexOf(copy, from); at >= 0; at = indexOf(copy, from)) {
            System.arraycopy(to, 0, copy, at, to.length);
            swapped++;
        }
        assertThat(swapped).as("occurrences of %s", name).isPositive();
        return copy;
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

    private static byte[] varint(int value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while ((value & ~0x7F) != 0) {
            out.write((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.write(value);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
