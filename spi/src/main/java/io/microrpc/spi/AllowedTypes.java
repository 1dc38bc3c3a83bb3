package io.microrpc.spi;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The classes a {@link Serializer} may instantiate while reading a payload: the declared parameter
 * and return types of the exported and referenced interfaces, the types of their fields (walked
 * recursively), configured extras, and a fixed set of JDK value and collection types.
 *
 * <p>A serializer must resolve every class name it reads from the wire through {@link #resolve} and
 * refuse the payload when it returns null; it must never call {@code Class.forName} on a name from
 * the wire. Immutable and thread-safe.
 */
public final class AllowedTypes {

    /** JDK types every payload may contain. */
    private static final Class<?>[] JDK_TYPES = {
        String.class,
        Boolean.class,
        Byte.class,
        Short.class,
        Character.class,
        Integer.class,
        Long.class,
        Float.class,
        Double.class,
        BigInteger.class,
        BigDecimal.class,
        byte[].class,
        int[].class,
        long[].class,
        double[].class,
        float[].class,
        short[].class,
        char[].class,
        boolean[].class,
        String[].class,
        Object[].class,
        ArrayList.class,
        LinkedList.class,
        HashMap.class,
        LinkedHashMap.class,
        TreeMap.class,
        HashSet.class,
        LinkedHashSet.class,
        TreeSet.class,
        Instant.class,
        Duration.class,
        LocalDate.class,
        LocalDateTime.class,
        Date.class,
        UUID.class,
    };

    private static final AllowedTypes JDK_ONLY = builder().build();

    private final Map<String, Class<?>> byName;

    private AllowedTypes(Map<String, Class<?>> byName) {
        this.byName = byName;
    }

    /** Only the JDK value and collection types. */
    public static AllowedTypes jdkOnly() {
        return JDK_ONLY;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The allowed class of that name, or null when a payload naming it must be refused. */
    public Class<?> resolve(String className) {
        return byName.get(className);
    }

    public boolean contains(Class<?> type) {
        return byName.get(type.getName()) == type;
    }

    /** The names of every allowed class, for error messages and diagnostics. */
    public Set<String> names() {
        return Collections.unmodifiableSet(byName.keySet());
    }

    /** A builder that starts from these types. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.byName.putAll(byName);
        return b;
    }

    /** Collects allowed classes; {@link #build()} copies them. Not thread-safe. */
    public static final class Builder {

        private final Map<String, Class<?>> byName = new HashMap<>();

        private Builder() {
            for (Class<?> c : JDK_TYPES) {
                byName.put(c.getName(), c);
            }
        }

        /**
         * Allows {@code type}. Two different classes of the same name (from two class loaders) cannot
         * both be allowed in one set.
         */
        public Builder add(Class<?> type) {
            Objects.requireNonNull(type, "type");
            if (type.isPrimitive()) {
                return this;
            }
            Class<?> previous = byName.putIfAbsent(type.getName(), type);
            if (previous != null && previous != type) {
                throw new IllegalArgumentException("type: " + type.getName() + " from " + type.getClassLoader()
                        + " (expected: the class already allowed from " + previous.getClassLoader() + ")");
            }
            return this;
        }

        public Builder addAll(Iterable<Class<?>> types) {
            for (Class<?> t : types) {
                add(t);
            }
            return this;
        }

        public AllowedTypes build() {
            return new AllowedTypes(Collections.unmodifiableMap(new HashMap<>(byName)));
        }
    }

    @Override
    public String toString() {
        return "AllowedTypes" + new TreeSet<>(byName.keySet());
    }
}
