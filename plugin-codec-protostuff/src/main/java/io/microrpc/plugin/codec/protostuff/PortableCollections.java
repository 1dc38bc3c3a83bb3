package io.microrpc.plugin.codec.protostuff;

import io.microrpc.spi.AllowedTypes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which JDK collection and map classes this serializer puts on the wire: only the ones
 * {@link AllowedTypes} admits by default ({@code ArrayList}, {@code LinkedList}, {@code HashSet},
 * {@code LinkedHashSet}, {@code TreeSet}, {@code HashMap}, {@code LinkedHashMap}, {@code TreeMap}).
 * Every other JDK class ({@code List.of}'s, {@code HashMap.keySet()}'s, {@code ConcurrentHashMap},
 * {@code Collections.unmodifiableList}'s, ...) travels as the portable class of its interface: list →
 * {@code ArrayList}, sorted set → {@code TreeSet}, set → {@code LinkedHashSet}, other collection →
 * {@code ArrayList}, sorted map → {@code TreeMap}, map → {@code LinkedHashMap}. So a reader with the
 * default allow-list reads whatever a service returns, and never has to instantiate a JDK class that
 * has no public constructor. Application collection classes keep their own name.
 */
final class PortableCollections {

    private static final Set<String> COLLECTIONS =
            Set.of("ArrayList", "LinkedList", "HashSet", "LinkedHashSet", "TreeSet");
    private static final Set<String> MAPS = Set.of("HashMap", "LinkedHashMap", "TreeMap");

    private PortableCollections() {}

    /** The id protostuff writes for a collection of class {@code type}: a short JDK name or a class name. */
    static String idOf(Class<?> type) {
        String name = type.getName();
        if (!name.startsWith("java.")) {
            return name;
        }
        String simpleName = type.getSimpleName();
        if (COLLECTIONS.contains(simpleName) && name.startsWith("java.util.")) {
            // includes Arrays$ArrayList, whose simple name is "ArrayList" too
            return simpleName;
        }
        if (List.class.isAssignableFrom(type)) {
            return "ArrayList";
        }
        if (SortedSet.class.isAssignableFrom(type)) {
            return "TreeSet";
        }
        if (Set.class.isAssignableFrom(type)) {
            return "LinkedHashSet";
        }
        return "ArrayList";
    }

    /** The id protostuff writes for a map of class {@code type}. */
    static String mapIdOf(Class<?> type) {
        String name = type.getName();
        if (!name.startsWith("java.")) {
            return name;
        }
        String simpleName = type.getSimpleName();
        if (MAPS.contains(simpleName) && name.startsWith("java.util.")) {
            return simpleName;
        }
        return SortedMap.class.isAssignableFrom(type) ? "TreeMap" : "LinkedHashMap";
    }

    /** A portable copy of a collection or map {@code wrapper}; anything else unchanged. */
    static Object copyOf(Object wrapper) {
        if (wrapper instanceof SortedMap) {
            return new TreeMap<>((SortedMap<?, ?>) wrapper);
        }
        if (wrapper instanceof Map) {
            return new LinkedHashMap<>((Map<?, ?>) wrapper);
        }
        if (wrapper instanceof List) {
            return new ArrayList<>((List<?>) wrapper);
        }
        if (wrapper instanceof SortedSet) {
            return new TreeSet<>((SortedSet<?>) wrapper);
        }
        if (wrapper instanceof Set) {
            return new LinkedHashSet<>((Set<?>) wrapper);
        }
        if (wrapper instanceof Collection) {
            return new ArrayList<>((Collection<?>) wrapper);
        }
        return wrapper;
    }
}
