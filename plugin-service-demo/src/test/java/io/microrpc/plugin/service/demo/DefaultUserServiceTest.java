package io.microrpc.plugin.service.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.microrpc.demo.api.User;
import io.microrpc.demo.api.UserNotFoundException;
import io.microrpc.demo.api.UserService;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class DefaultUserServiceTest {

    private final DefaultUserService service = new DefaultUserService();

    @Test
    void getUserIsDeterministicAndFillsEveryField() {
        User user = service.getUser(42);

        assertThat(user).isEqualTo(service.getUser(42)).isEqualTo(new DefaultUserService().getUser(42));
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
        assertThat(page).extracting(User::getId).containsExactly(
                30L, 31L, 32L, 33L, 34L, 35L, 36L, 37L, 38L, 39L, 40L, 41L, 42L, 43L, 44L);
        assertThat(page.get(12)).isEqualTo(service.getUser(42));
    }

    @Test
    void listUserRefusesNegativePages() {
        assertThatThrownBy(() -> service.listUser(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("page: -1 (expected: >= 0)");
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
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("user: null (expected: a user to store)");
    }

    @Test
    void onlyTheMostRecentCreatedUsersAreKept() {
        User user = new User();
        user.setName("kept");
        long first = service.createUser(user);
        long last = first;
        for (int i = 0; i < DefaultUserService.MAX_STORED_USERS; i++) {
            last = service.createUser(user);
        }

        assertThat(service.getUser(first).getName()).isEqualTo("user-" + first);
        assertThat(service.getUser(last).getName()).isEqualTo("kept");
        assertThat(service.getUser(first + 1).getName()).isEqualTo("kept");
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
}
