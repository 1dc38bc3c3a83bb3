package io.microrpc.testkit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The application types {@link SerializerContractTest} sends: plain beans of the shapes RPC
 * interfaces use, an {@code Object}-typed field for polymorphism, and a class that must never be
 * initialized by a read.
 */
public final class ContractTypes {

    /** Set by {@link Forbidden}'s static initializer; a serializer that loads payload classes trips it. */
    public static final AtomicBoolean FORBIDDEN_INITIALIZED = new AtomicBoolean();

    private ContractTypes() {}

    public enum Color {
        RED,
        GREEN,
        BLUE
    }

    /** A nested bean. */
    public static final class Address {

        private String street;
        private String city;
        private int zip;

        public Address() {}

        public Address(String street, String city, int zip) {
            this.street = street;
            this.city = city;
            this.zip = zip;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Address)) {
                return false;
            }
            Address a = (Address) o;
            return zip == a.zip && Objects.equals(street, a.street) && Objects.equals(city, a.city);
        }

        @Override
        public int hashCode() {
            return Objects.hash(street, city, zip);
        }

        @Override
        public String toString() {
            return "Address{" + street + ", " + city + ", " + zip + '}';
        }
    }

    /** A bean with a field of every common kind. */
    public static class Person {

        private long id;
        private String name;
        private int age;
        private boolean active;
        private double score;
        private float ratio;
        private short rank;
        private byte level;
        private char initial;
        private Long boxedId;
        private Color color;
        private byte[] avatar;
        private List<String> tags;
        private Map<String, Integer> counts;
        private Address home;
        private List<Address> previous;

        public Person() {}

        /** A person with every field set, different for every {@code id}. */
        public static Person sample(long id) {
            Person p = new Person();
            p.id = id;
            p.name = "person-" + id;
            p.age = (int) (id % 90);
            p.active = id % 2 == 0;
            p.score = id * 1.5;
            p.ratio = id / 3f;
            p.rank = (short) (id % 1000);
            p.level = (byte) id;
            p.initial = (char) ('A' + id % 26);
            p.boxedId = id;
            p.color = Color.values()[(int) (id % 3)];
            p.avatar = new byte[] {1, 2, (byte) id};
            p.tags = new ArrayList<>(List.of("t" + id, "common"));
            p.counts = new HashMap<>(Map.of("a", 1, "b" + id, (int) id));
            p.home = new Address("street " + id, "city", (int) id);
            p.previous = new ArrayList<>(List.of(new Address("old", "town", 1)));
            return p;
        }

        public long getId() {
            return id;
        }

        public void setName(String name) {
            this.name = name;
        }

        public String getName() {
            return name;
        }

        public void setTags(List<String> tags) {
            this.tags = tags;
        }

        public List<String> getTags() {
            return tags;
        }

        public void setCounts(Map<String, Integer> counts) {
            this.counts = counts;
        }

        public Map<String, Integer> getCounts() {
            return counts;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Person)) {
                return false;
            }
            Person p = (Person) o;
            return id == p.id
                    && age == p.age
                    && active == p.active
                    && Double.compare(score, p.score) == 0
                    && Float.compare(ratio, p.ratio) == 0
                    && rank == p.rank
                    && level == p.level
                    && initial == p.initial
                    && Objects.equals(boxedId, p.boxedId)
                    && color == p.color
                    && Arrays.equals(avatar, p.avatar)
                    && Objects.equals(name, p.name)
                    && Objects.equals(tags, p.tags)
                    && Objects.equals(counts, p.counts)
                    && Objects.equals(home, p.home)
                    && Objects.equals(previous, p.previous);
        }

        @Override
        public int hashCode() {
            return Objects.hash(id, name);
        }

        @Override
        public String toString() {
            return "Person{" + id + ", " + name + ", " + color + ", " + tags + ", " + counts + ", " + home + '}';
        }
    }

    /** A bean whose payload field is typed {@code Object}: the serializer must name its class. */
    public static final class Envelope {

        private String label;
        private Object payload;

        public Envelope() {}

        public Envelope(String label, Object payload) {
            this.label = label;
            this.payload = payload;
        }

        public Object payload() {
            return payload;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Envelope)) {
                return false;
            }
            Envelope e = (Envelope) o;
            return Objects.equals(label, e.label) && Objects.deepEquals(payload, e.payload);
        }

        @Override
        public int hashCode() {
            return Objects.hashCode(label);
        }

        @Override
        public String toString() {
            return "Envelope{" + label + ", " + payload + '}';
        }
    }

    /**
     * Never allowed, never meant to be loaded: its name has the length of {@link Innocuous}'s, so a test
     * can put it into a payload in place of that one.
     */
    public static final class Forbidden {

        static {
            FORBIDDEN_INITIALIZED.set(true);
        }

        @SuppressWarnings("UnusedVariable") // state for a serializer to (not) read
        private String note;
    }

    /** A harmless class that the contract's reads do not allow. */
    public static final class Innocuous {

        @SuppressWarnings("UnusedVariable") // state for a serializer to read
        private String note;

        public Innocuous() {}

        public Innocuous(String note) {
            this.note = note;
        }
    }
}
