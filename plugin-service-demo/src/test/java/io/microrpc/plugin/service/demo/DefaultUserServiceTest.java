package io.microrpc.plugin.service.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.microrpc.demo.api.User;
import io.microrpc.demo.api.UserNotFoundException;
import io.microrpc.demo.api.UserService;
import io.microrpc.spi.PluginConfig;
import io.microrpc.spi.RpcException;
import io.microrpc.spi.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class DefaultUserServiceTest {

    private final DefaultUserService service = new DefaultUserService(DemoSettings.DEFAULTS);

    @Test
    void getUserIsDeterministicAndFillsEveryField() {
        User user = service.getUser(42);

        assertThat(user)
                .isEqualTo(service.getUser(42))
                .isEqualTo(new DefaultUserService(DemoSettings.DEFAULTS).getUser(42));
        assertThat(user.getId()).isEqualTo(42);
        assertThat(user.getName()).isEqualTo("user-42");
        assertThat(user.getEmail()).isEqualTo("user42@example.com");
        assertThat(user.getAge()).isBetween(18, 80);
        assertThat(user.getBalance()).isPositive();
        assertThat(user.getCreatedAtMillis()).isPositive();
        assertThat(user.getCity()).isNotEmpty();
        assertThat(user.getCountry()).hasSize(2);
        assertThat(user.getGender()).isNotNull();
        assertThat(user.getTags()).hasSize(3).contains("demo");
        assertThat(user.getAttributes()).containsKeys("tier", "referrer");
        assertThat(service.getUser(43)).isNotEqualTo(user);
    }

    @Test
    void getUserWorksForTheExtremeIds() {
        assertThat(service.getUser(0).getId()).isZero();
        assertThat(service.getUser(Long.MAX_VALUE).getName()).isEqualTo("user-" + Long.MAX_VALUE);
    }

    @Test
    void getUserRefusesNegativeIds() {
        assertThatThrownBy(() -> service.getUser(-1))
                .isInstanceOf(UserNotFoundException.class)
                .hasMessage("no user with id -1")
                .satisfies(e -> assertThat(((UserNotFoundException) e).id()).isEqualTo(-1));
    }

    @Test
    void listUserReturnsOnePageOfConsecutiveUsers() {
        List<User> page = service.listUser(2);

        assertThat(page).hasSize(UserService.PAGE_SIZE).hasSize(15);
        assertThat(page)
                .extracting(User::getId)
                .containsExactly(30L, 31L, 32L, 33L, 34L, 35L, 36L, 37L, 38L, 39L, 40L, 41L, 42L, 43L, 44L);
        assertThat(page.get(12)).isEqualTo(service.getUser(42));
    }

    @Test
    void listUserRefusesNegativePages() {
        assertThatThrownBy(() -> service.listUser(-1))
                .isInstanceOfSatisfying(
                        RpcException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
                .hasMessage("INVALID_ARGUMENT: page: -1 (expected: >= 0)");
    }

    @Test
    void createdUsersAreStoredUnderANewIdAsCopies() {
        User user = new User();
        user.setName("ada");
        user.setTags(new ArrayList<>(List.of("math")));
        user.setAttributes(Map.of("lang", "en"));

        long id = service.createUser(user);
        user.setName("changed after the call");
        user.getTags().add("changed");

        User stored = service.getUser(id);
        assertThat(id).isGreaterThanOrEqualTo(DefaultUserService.FIRST_CREATED_ID);
        assertThat(stored.getId()).isEqualTo(id);
        assertThat(stored.getName()).isEqualTo("ada");
        assertThat(stored.getTags()).containsExactly("math");
        assertThat(user.getId()).as("the caller's object is not modified").isZero();

        stored.setName("mutated by the caller");
        assertThat(service.getUser(id).getName()).isEqualTo("ada");
    }

    @Test
    void createUserRefusesNull() {
        assertThatThrownBy(() -> service.createUser(null))
                .isInstanceOfSatisfying(
                        RpcException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
                .hasMessage("INVALID_ARGUMENT: user: null (expected: a user to store)");
    }

    // ---- bounds

    @Test
    void theIssuesSevenMebibyteNameIsRefusedAndNothingIsStored() {
        User user = new User();
        user.setName("x".repeat(7 * 1024 * 1024));

        assertThatThrownBy(() -> service.createUser(user))
                .isInstanceOfSatisfying(
                        RpcException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
                .hasMessage(
                        "INVALID_ARGUMENT: user.name: 7340032 characters (expected: at most 256 characters; the limit "
                                + "is service.demo.max-string-length)");
        assertThat(service.storedUsers()).isZero();
        assertThat(service.storedBytes()).isZero();
    }

    @Test
    void everyStringOfAUserIsBounded() {
        DefaultUserService small = service("max-string-length", "3");
        String four = "abcd";
        List<Consumer<User>> oversized = List.of(
                u -> u.setName(four),
                u -> u.setEmail(four),
                u -> u.setCity(four),
                u -> u.setCountry(four),
                u -> u.setTags(new ArrayList<>(List.of("ok", four))),
                u -> u.setAttributes(Map.of(four, "ok")),
                u -> u.setAttributes(Map.of("ok", four)));
        List<String> fields = List.of(
                "user.name",
                "user.email",
                "user.city",
                "user.country",
                "user.tags[1]",
                "user.attributes key",
                "user.attributes value");

        for (int i = 0; i < oversized.size(); i++) {
            User user = fittingUser();
            oversized.get(i).accept(user);
            assertThatThrownBy(() -> small.createUser(user))
                    .as(fields.get(i))
                    .isInstanceOf(RpcException.class)
                    .hasMessage(
                            "INVALID_ARGUMENT: " + fields.get(i) + ": 4 characters (expected: at most 3 characters; "
                                    + "the limit is service.demo.max-string-length)");
        }
        assertThat(small.createUser(fittingUser())).as("a user at every limit").isPositive();
    }

    @Test
    void tagsAndAttributesAreCounted() {
        DefaultUserService small = service("max-tags", "2", "max-attributes", "1");
        User tags = new User();
        tags.setTags(List.of("a", "b", "c"));
        User attributes = new User();
        attributes.setAttributes(Map.of("a", "1", "b", "2"));

        assertThatThrownBy(() -> small.createUser(tags))
                .hasMessage(
                        "INVALID_ARGUMENT: user.tags: 3 tags (expected: at most 2 tags; the limit is service.demo.max-tags)");
        assertThatThrownBy(() -> small.createUser(attributes))
                .hasMessage(
                        "INVALID_ARGUMENT: user.attributes: 2 attributes (expected: at most 1 attributes; the limit is "
                                + "service.demo.max-attributes)");
    }

    @Test
    void theUserPastMaxUsersIsRefusedAndTheStoredOnesStay() {
        // The default bound: 100,000 users of the smallest kind fit in the default byte bound.
        User user = new User();
        user.setName("kept");
        long first = service.createUser(user);
        for (int i = 1; i < 100_000; i++) {
            service.createUser(user);
        }

        assertThatThrownBy(() -> service.createUser(user))
                .isInstanceOfSatisfying(
                        RpcException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED))
                .hasMessage(
                        "RESOURCE_EXHAUSTED: the demo UserService stores at most 100000 users and holds 100000 (the limit "
                                + "is service.demo.max-users); the store is emptied when the plugin restarts");
        assertThat(service.storedUsers()).isEqualTo(100_000);
        assertThat(service.getUser(first).getName()).as("nothing is evicted").isEqualTo("kept");
        assertThat(service.getUser(first + 100_000).getName())
                .as("the refused user got no id")
                .isEqualTo("user-" + (first + 100_000));
    }

    @Test
    void theStoredBytesAreBounded() {
        User user = fittingUser();
        long size = new UserBounds(DemoSettings.DEFAULTS).check(new User(user));
        DefaultUserService small = service("max-stored-bytes", String.valueOf(2 * size + size / 2));

        small.createUser(user);
        small.createUser(user);

        assertThatThrownBy(() -> small.createUser(user))
                .isInstanceOfSatisfying(
                        RpcException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED))
                .hasMessage("RESOURCE_EXHAUSTED: the demo UserService stores at most " + (2 * size + size / 2)
                        + " bytes of "
                        + "users and holds " + 2 * size + " in 2 users; this one needs " + size + " (the limit is "
                        + "service.demo.max-stored-bytes); the store is emptied when the plugin restarts");
        assertThat(small.storedBytes()).isEqualTo(2 * size);
        assertThat(small.createUser(new User())).as("a smaller user still fits").isPositive();
    }

    @Test
    void theEstimateCountsEveryStringAtTwoBytesACharacter() {
        User user = new User();
        user.setName("abc");
        user.setTags(List.of("de"));
        user.setAttributes(Map.of("k", "vw"));
        UserBounds bounds = new UserBounds(DemoSettings.DEFAULTS);

        assertThat(bounds.check(new User())).isEqualTo(UserBounds.USER_BYTES);
        assertThat(bounds.check(user))
                .isEqualTo(UserBounds.USER_BYTES
                        + UserBounds.STRING_BYTES
                        + 6
                        + UserBounds.TAG_BYTES
                        + UserBounds.STRING_BYTES
                        + 4
                        + UserBounds.ATTRIBUTE_BYTES
                        + UserBounds.STRING_BYTES
                        + 2
                        + UserBounds.STRING_BYTES
                        + 4);
    }

    @Test
    void maxUsersZeroRefusesEveryUser() {
        assertThatThrownBy(() -> service("max-users", "0").createUser(new User()))
                .hasMessageContaining("stores at most 0 users");
    }

    @Test
    void concurrentCreatesGetDistinctIds() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Long>> ids = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                ids.add(pool.submit(() -> service.createUser(new User())));
            }
            Set<Long> distinct = new HashSet<>();
            for (Future<Long> id : ids) {
                distinct.add(id.get());
            }
            assertThat(distinct).hasSize(1000);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentCreatesNeverPassTheBound() throws Exception {
        DefaultUserService small = service("max-users", "500");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> stored = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                stored.add(pool.submit(() -> {
                    try {
                        small.createUser(new User());
                        return true;
                    } catch (RpcException e) {
                        return false;
                    }
                }));
            }
            int accepted = 0;
            for (Future<Boolean> f : stored) {
                accepted += f.get() ? 1 : 0;
            }
            assertThat(accepted).isEqualTo(500);
            assertThat(small.storedUsers()).isEqualTo(500);
            assertThat(small.storedBytes()).isEqualTo(500 * UserBounds.USER_BYTES);
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- helpers

    /** A service with the defaults but for {@code keysAndValues} (keys without the service.demo. prefix). */
    private static DefaultUserService service(String... keysAndValues) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            keys.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return new DefaultUserService(DemoSettings.parse(PluginConfig.of("service.demo.", keys)));
    }

    /** A user whose every string is 3 characters long, with one tag and one attribute. */
    private static User fittingUser() {
        User user = new User();
        user.setName("ada");
        user.setEmail("a@b");
        user.setCity("Rio");
        user.setCountry("BRA");
        user.setTags(new ArrayList<>(List.of("abc")));
        user.setAttributes(new HashMap<>(Map.of("key", "val")));
        return user;
    }
}
