package io.microrpc.plugin.codec.protostuff.fuzz;

import io.microrpc.demo.api.Gender;
import io.microrpc.demo.api.User;
import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
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

/** Random valid arguments for the methods of {@link FuzzedApi}: the seeds of the codec fuzz tests. Stateless. */
public final class FuzzedValues {

    private static final String[] TEXT = {"", "a", "Ada Lovelace", "ünïcödé", "名前", "\u0000", "x".repeat(200), "ROOT"};

    /** The methods of {@link FuzzedApi}, in a fixed order (reflection's is unspecified). */
    public static final List<Method> METHODS = Arrays.stream(FuzzedApi.class.getMethods())
            .sorted(Comparator.comparing(Method::getName))
            .toList();

    private FuzzedValues() {}

    public static Object[] arguments(Random r, Method m) {
        switch (m.getName()) {
            case "user":
                return new Object[] {user(r)};
            case "users":
                return new Object[] {users(r)};
            case "groups": {
                Map<String, List<User>> groups = r.nextBoolean() ? new HashMap<>() : new TreeMap<>();
                for (int i = r.nextInt(3); i > 0; i--) {
                    groups.put(text(r), users(r));
                }
                return new Object[] {groups};
            }
            case "page":
                return new Object[] {page(r)};
            case "array": {
                User[] users = new User[r.nextInt(4)];
                for (int i = 0; i < users.length; i++) {
                    users[i] = r.nextInt(4) == 0 ? null : user(r);
                }
                return new Object[] {users};
            }
            case "anything":
                return new Object[] {anything(r, 2)};
            case "tree":
                return new Object[] {tree(r, 3)};
            case "genders": {
                Set<Gender> set = r.nextBoolean() ? new HashSet<>() : new TreeSet<>();
                for (int i = r.nextInt(4); i > 0; i--) {
                    set.add(gender(r));
                }
                return new Object[] {set};
            }
            case "scalars": {
                byte[] bytes = new byte[r.nextInt(12)];
                r.nextBytes(bytes);
                return new Object[] {
                    text(r),
                    r.nextInt(),
                    r.nextLong(),
                    r.nextDouble() * 1e6,
                    r.nextBoolean(),
                    r.nextInt(5) == 0 ? null : bytes,
                    gender(r)
                };
            }
            case "values":
                return new Object[] {
                    Instant.ofEpochSecond(r.nextInt(), r.nextInt(1_000_000_000)),
                    Duration.ofMillis(r.nextInt()),
                    new BigDecimal(BigInteger.valueOf(r.nextLong()), r.nextInt(20) - 10),
                    new UUID(r.nextLong(), r.nextLong())
                };
            default:
                throw new IllegalArgumentException("no arguments for " + m);
        }
    }

    @SuppressWarnings("JdkObsolete") // a LinkedList is one of the lists a serializer meets
    static User user(Random r) {
        User u = new User();
        u.setId(r.nextInt(3) == 0 ? r.nextLong() : r.nextInt(1000));
        u.setName(text(r));
        u.setEmail(r.nextInt(4) == 0 ? null : text(r) + "@example.com");
        u.setAge(r.nextInt(100));
        u.setActive(r.nextBoolean());
        u.setBalance(r.nextDouble() * 1000);
        u.setCreatedAtMillis(r.nextLong());
        u.setCity(text(r));
        u.setCountry(r.nextInt(4) == 0 ? null : "NZ");
        u.setGender(r.nextInt(5) == 0 ? null : gender(r));
        if (r.nextInt(4) != 0) {
            List<String> tags = r.nextBoolean() ? new ArrayList<>() : new LinkedList<>();
            for (int i = r.nextInt(4); i > 0; i--) {
                tags.add(r.nextInt(6) == 0 ? null : text(r));
            }
            u.setTags(tags);
        }
        if (r.nextInt(4) != 0) {
            Map<String, String> attributes = r.nextBoolean() ? new HashMap<>() : new LinkedHashMap<>();
            for (int i = r.nextInt(3); i > 0; i--) {
                attributes.put(text(r), text(r));
            }
            u.setAttributes(attributes);
        }
        return u;
    }

    private static List<User> users(Random r) {
        List<User> users = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) {
            users.add(r.nextInt(6) == 0 ? null : user(r));
        }
        return users;
    }

    private static FuzzedApi.Page<User> page(Random r) {
        FuzzedApi.Page<User> p = new FuzzedApi.Page<>();
        p.number = r.nextInt(100);
        p.items = r.nextInt(4) == 0 ? null : users(r);
        p.first = r.nextInt(3) == 0 ? null : user(r);
        if (r.nextBoolean()) {
            p.byName = new HashMap<>();
            p.byName.put(text(r), user(r));
        }
        return p;
    }

    private static FuzzedApi.Tree tree(Random r, int depth) {
        FuzzedApi.Tree t = new FuzzedApi.Tree();
        t.label = text(r);
        if (depth > 0) {
            t.left = r.nextBoolean() ? tree(r, depth - 1) : null;
            t.right = r.nextInt(3) == 0 ? tree(r, depth - 1) : null;
            if (r.nextInt(3) == 0) {
                t.children = new ArrayList<>();
                for (int i = r.nextInt(3); i > 0; i--) {
                    t.children.add(tree(r, depth - 1));
                }
            }
        }
        t.payload = r.nextBoolean() ? anything(r, 1) : null;
        return t;
    }

    private static Object anything(Random r, int depth) {
        switch (r.nextInt(depth > 0 ? 14 : 9)) {
            case 0:
                return text(r);
            case 1:
                return r.nextInt();
            case 2:
                return r.nextLong();
            case 3:
                return gender(r);
            case 4:
                return new BigDecimal(r.nextInt()).movePointLeft(r.nextInt(6));
            case 5:
                return new int[] {r.nextInt(), r.nextInt()};
            case 6:
                return new String[] {text(r), null};
            case 7:
                return new UUID(r.nextLong(), r.nextLong());
            case 8:
                return Instant.ofEpochMilli(r.nextLong() >> 20);
            case 9:
                return user(r);
            case 10: {
                List<Object> list = new ArrayList<>();
                for (int i = r.nextInt(4); i > 0; i--) {
                    list.add(anything(r, depth - 1));
                }
                return list;
            }
            case 11: {
                Map<String, Object> map = new HashMap<>();
                for (int i = r.nextInt(3); i > 0; i--) {
                    map.put(text(r), anything(r, depth - 1));
                }
                return map;
            }
            case 12:
                return tree(r, depth - 1);
            default:
                return new Object[] {anything(r, depth - 1), null};
        }
    }

    private static String text(Random r) {
        return TEXT[r.nextInt(TEXT.length)];
    }

    private static Gender gender(Random r) {
        return Gender.values()[r.nextInt(Gender.values().length)];
    }
}
