package io.microrpc.plugin.codec.protostuff.fuzz;

import io.microrpc.demo.api.Gender;
import io.microrpc.demo.api.User;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The RPC interface the codec fuzz tests read arguments for: the demo's {@link User}, alone and in
 * lists, maps and arrays; a generic class; a recursive tree with an {@code Object} field; scalars,
 * enums and the JDK value types. Its allow-list is computed by the kernel from these declarations, as a
 * server exporting it would. Every method returns what it was sent, so a server fuzz test also proves
 * that what the server accepted it can send back.
 */
public interface FuzzedApi {

    User user(User user);

    List<User> users(List<User> users);

    Map<String, List<User>> groups(Map<String, List<User>> groups);

    Page<User> page(Page<User> page);

    User[] array(User[] users);

    Object anything(Object value);

    Tree tree(Tree tree);

    Set<Gender> genders(Set<Gender> genders);

    String scalars(String text, int i, long l, double d, boolean b, byte[] bytes, Gender gender);

    Instant values(Instant at, Duration duration, BigDecimal amount, UUID id);

    /** A generic page of items. */
    class Page<T> {
        public int number;
        public List<T> items;
        public T first;
        public Map<String, T> byName;
    }

    /** A tree of any depth, with a payload of any allowed type. */
    class Tree {
        public String label;
        public Tree left;
        public Tree right;
        public List<Tree> children;
        public Object payload;
    }
}
