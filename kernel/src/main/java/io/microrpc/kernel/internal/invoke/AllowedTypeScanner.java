package io.microrpc.kernel.internal.invoke;

import io.microrpc.spi.AllowedTypes;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Computes the {@link AllowedTypes} of an RPC interface: every declared parameter and return type
 * (with their generic arguments and array components), and, walked recursively, the declared types of
 * their non-static, non-transient fields and of their superclasses' fields, plus the thrown exception
 * types. A payload can therefore only ever materialize classes the interface's author already chose to
 * put on the wire.
 */
final class AllowedTypeScanner {

    private AllowedTypeScanner() {}

    static AllowedTypes scan(Class<?> iface, List<Class<?>> extras) {
        AllowedTypes.Builder builder = AllowedTypes.builder();
        Set<Class<?>> seen = new HashSet<>();
        Deque<Type> todo = new ArrayDeque<>();
        for (Method m : iface.getMethods()) {
            if (m.isDefault() || Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            todo.add(m.getGenericReturnType());
            todo.addAll(List.of(m.getGenericParameterTypes()));
        }
        todo.addAll(extras);
        while (!todo.isEmpty()) {
            Type t = todo.poll();
            if (t instanceof Class) {
                Class<?> c = (Class<?>) t;
                if (c.isArray()) {
                    todo.add(c.getComponentType());
                    if (seen.add(c)) {
                        builder.add(c);
                    }
                    continue;
                }
                if (c.isPrimitive() || c == Object.class || c == CompletableFuture.class || !seen.add(c)) {
                    continue;
                }
                builder.add(c);
                if (c.getName().startsWith("java.") || c.isInterface()) {
                    continue;
                }
                for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
                    if (k != c && seen.add(k)) {
                        builder.add(k);
                    }
                    for (Field f : k.getDeclaredFields()) {
                        int mod = f.getModifiers();
                        if (!Modifier.isStatic(mod) && !Modifier.isTransient(mod)) {
                            todo.add(f.getGenericType());
                        }
                    }
                }
            } else if (t instanceof ParameterizedType) {
                ParameterizedType p = (ParameterizedType) t;
                todo.add(p.getRawType());
                todo.addAll(List.of(p.getActualTypeArguments()));
            } else if (t instanceof GenericArrayType) {
                todo.add(((GenericArrayType) t).getGenericComponentType());
            } else if (t instanceof WildcardType) {
                todo.addAll(List.of(((WildcardType) t).getUpperBounds()));
            } else if (t instanceof TypeVariable) {
                todo.addAll(List.of(((TypeVariable<?>) t).getBounds()));
            }
        }
        return builder.build();
    }
}
