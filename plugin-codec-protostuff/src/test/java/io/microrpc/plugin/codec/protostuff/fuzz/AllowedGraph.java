package io.microrpc.plugin.codec.protostuff.fuzz;

import io.microrpc.spi.AllowedTypes;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Walks everything reachable from values a codec read and fails on an object whose class is outside the
 * allow-list: the proof that a payload instantiated nothing else. Allowed are the classes
 * {@link AllowedTypes} holds, the declared types, boxed primitives, a bare {@code java.lang.Object}, enum
 * constants of allowed enums, and arrays of allowed or primitive components. The fields of JDK classes are not walked. Not
 * thread-safe (caches fields per class).
 */
final class AllowedGraph {

    private static final Set<Class<?>> SCALARS = Set.of(
            Boolean.class,
            Byte.class,
            Short.class,
            Character.class,
            Integer.class,
            Long.class,
            Float.class,
            Double.class,
            String.class);

    private final AllowedTypes allowed;
    private final Map<Class<?>, List<Field>> fields = new HashMap<>();

    AllowedGraph(AllowedTypes allowed) {
        this.allowed = allowed;
    }

    void check(Object[] values, Class<?>[] declared) {
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object> todo = new ArrayDeque<>();
        for (int i = 0; i < values.length; i++) {
            Object v = values[i];
            if (v == null) {
                continue;
            }
            if (v.getClass() == declared[i] && !isAllowed(v.getClass())) {
                // The declared class itself may always be built; what it holds is checked below.
                seen.add(v);
                todo.addAll(children(v));
            } else {
                todo.add(v);
            }
        }
        while (!todo.isEmpty()) {
            Object o = todo.poll();
            if (!seen.add(o)) {
                continue;
            }
            Class<?> c = o.getClass();
            if (!isAllowed(c)) {
                throw new AssertionError("a payload instantiated " + c.getName() + ", which is not in the allow-list");
            }
            todo.addAll(children(o));
        }
    }

    private boolean isAllowed(Class<?> c) {
        // A bare java.lang.Object (protostuff's type id 16) has no state and runs no code; the codec
        // admits it as an array component too.
        if (SCALARS.contains(c) || allowed.contains(c) || c == Object.class) {
            return true;
        }
        if (c.isArray()) {
            Class<?> component = c.getComponentType();
            return component.isPrimitive() || isAllowed(component) || component == Object.class;
        }
        Class<?> enumType =
                c.isEnum() ? c : c.getSuperclass() != null && c.getSuperclass().isEnum() ? c.getSuperclass() : null;
        return enumType != null && allowed.contains(enumType);
    }

    /** What {@code o} refers to, nulls left out. */
    private List<Object> children(Object o) {
        Class<?> c = o.getClass();
        List<Object> out = new ArrayList<>() {
            private static final long serialVersionUID = 1L;

            @Override
            public boolean add(Object e) {
                return e != null && super.add(e);
            }

            @Override
            public boolean addAll(Collection<?> c) {
                c.forEach(this::add);
                return true;
            }
        };
        if (c.isArray()) {
            if (!c.getComponentType().isPrimitive()) {
                for (int i = 0, n = Array.getLength(o); i < n; i++) {
                    out.add(Array.get(o, i));
                }
            }
        } else if (o instanceof Collection<?> collection) {
            out.addAll(collection);
        } else if (o instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.add(e.getKey());
                out.add(e.getValue());
            }
        } else if (!c.getName().startsWith("java.") && !(o instanceof Enum)) {
            for (Field f : fieldsOf(c)) {
                try {
                    out.add(f.get(o));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException("made accessible: " + f, e);
                }
            }
        }
        return out;
    }

    private List<Field> fieldsOf(Class<?> type) {
        return fields.computeIfAbsent(type, t -> {
            List<Field> list = new ArrayList<>();
            for (Class<?> k = t; k != null && k != Object.class; k = k.getSuperclass()) {
                for (Field f : k.getDeclaredFields()) {
                    if (!Modifier.isStatic(f.getModifiers()) && !f.getType().isPrimitive()) {
                        f.setAccessible(true);
                        list.add(f);
                    }
                }
            }
            return list;
        });
    }
}
