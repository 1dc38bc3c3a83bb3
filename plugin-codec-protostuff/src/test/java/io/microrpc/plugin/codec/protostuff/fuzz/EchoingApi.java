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
 * Sends back what it was sent, touching nothing inside it: whatever the server accepted, it must be
 * able to answer with. Thread-safe (stateless).
 */
final class EchoingApi implements FuzzedApi {

    @Override
    public User user(User user) {
        return user;
    }

    @Override
    public List<User> users(List<User> users) {
        return users;
    }

    @Override
    public Map<String, List<User>> groups(Map<String, List<User>> groups) {
        return groups;
    }

    @Override
    public Page<User> page(Page<User> page) {
        return page;
    }

    @Override
    public User[] array(User[] users) {
        return users;
    }

    @Override
    public Object anything(Object value) {
        return value;
    }

    @Override
    public Tree tree(Tree tree) {
        return tree;
    }

    @Override
    public Set<Gender> genders(Set<Gender> genders) {
        return genders;
    }

    @Override
    public String scalars(String text, int i, long l, double d, boolean b, byte[] bytes, Gender gender) {
        return text + i + l + d + b + (bytes == null ? -1 : bytes.length) + gender;
    }

    @Override
    public Instant values(Instant at, Duration duration, BigDecimal amount, UUID id) {
        return at;
    }
}
