package io.microrpc.plugin.service.demo;

import io.microrpc.demo.api.Gender;
import io.microrpc.demo.api.User;
import io.microrpc.demo.api.UserNotFoundException;
import io.microrpc.demo.api.UserService;
import io.microrpc.spi.RpcException;
import io.microrpc.spi.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every id {@code >= 0} names a user: one created through {@link #createUser}, or else a synthetic
 * user derived from the id alone, so any client (and the benchmark) can read any id without seeding
 * data first. Negative ids name nobody.
 *
 * <p>What {@link #createUser} stores is bounded by {@link DemoSettings}: the number of users, the size
 * of each (string lengths, tags, attributes) and their estimated heap bytes in total ({@link
 * UserBounds}). A user over a size limit is refused with {@code INVALID_ARGUMENT}; once the store is
 * full, every further user with {@code RESOURCE_EXHAUSTED}. Nothing is evicted: the store starts empty
 * again when the plugin does (a reload, or an edit of its keys).
 *
 * <p>Thread-safe and non-blocking (the store's two counters share a lock held for a few instructions).
 * Users are built by concatenation and table lookups, never {@code String.format}: {@link #getUser} and
 * {@link #listUser} are on the benchmark's hot path.
 */
final class DefaultUserService implements UserService {

    /** Created users get ids from here up, apart from the small ids clients tend to ask for. */
    static final long FIRST_CREATED_ID = 1_000_000_000_000L;

    private static final long EPOCH_2020_MILLIS = 1_577_836_800_000L;
    private static final long TEN_YEARS_SECONDS = 10L * 365 * 24 * 3600;
    private static final Gender[] GENDERS = Gender.values();
    private static final String[] CITIES = {
        "Amsterdam", "Berlin", "Lisbon", "Montreal", "Nairobi", "Osaka", "Santiago", "Seoul", "Sydney", "Toronto",
    };
    private static final String[] COUNTRIES = {
        "NL", "DE", "PT", "CA", "KE", "JP", "CL", "KR", "AU", "CA",
    };
    private static final String[] INTERESTS = {"music", "chess", "hiking", "cooking", "cycling", "reading", "travel"};
    private static final String[] TIERS = {"free", "pro", "enterprise"};

    private final DemoSettings settings;
    private final UserBounds bounds;
    private final Map<Long, User> created = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(FIRST_CREATED_ID);
    private final Object storeLock = new Object();
    // Guarded by storeLock: reserved before a user is put into created, so they never undercount it.
    private int storedUsers;
    private long storedBytes;

    DefaultUserService(DemoSettings settings) {
        this.settings = settings;
        this.bounds = new UserBounds(settings);
    }

    @Override
    public User getUser(long id) {
        if (id < 0) {
            throw new UserNotFoundException(id);
        }
        User stored = created.get(id);
        // A copy: an in-process caller may mutate what it gets back.
        return stored != null ? new User(stored) : syntheticUser(id);
    }

    @Override
    public long createUser(User user) {
        if (user == null) {
            throw invalid("user: null (expected: a user to store)");
        }
        bounds.checkCounts(user);
        User copy = new User(user);
        long bytes = bounds.check(copy);
        reserve(bytes);
        long id = nextId.getAndIncrement();
        copy.setId(id);
        created.put(id, copy);
        return id;
    }

    private void reserve(long bytes) {
        synchronized (storeLock) {
            if (storedUsers >= settings.maxUsers) {
                throw full("the demo UserService stores at most " + settings.maxUsers + " users and holds "
                        + storedUsers + " (the limit is " + settings.key(DemoSettings.MAX_USERS) + ")");
            }
            if (bytes > settings.maxStoredBytes - storedBytes) {
                throw full("the demo UserService stores at most " + settings.maxStoredBytes
                        + " bytes of users and holds "
                        + storedBytes + " in " + storedUsers + " users; this one needs " + bytes + " (the limit is "
                        + settings.key(DemoSettings.MAX_STORED_BYTES) + ")");
            }
            storedUsers++;
            storedBytes += bytes;
        }
    }

    /** Users created and stored. */
    int storedUsers() {
        synchronized (storeLock) {
            return storedUsers;
        }
    }

    /** Their estimated heap bytes ({@link UserBounds#check}). */
    long storedBytes() {
        synchronized (storeLock) {
            return storedBytes;
        }
    }

    @Override
    public List<User> listUser(int page) {
        if (page < 0) {
            throw invalid("page: " + page + " (expected: >= 0)");
        }
        long first = (long) page * PAGE_SIZE;
        List<User> users = new ArrayList<>(PAGE_SIZE);
        for (int i = 0; i < PAGE_SIZE; i++) {
            users.add(getUser(first + i));
        }
        return users;
    }

    private static RpcException invalid(String description) {
        return Status.of(Status.Code.INVALID_ARGUMENT)
                .withDescription(description)
                .asException(RpcException.Progress.ANSWERED);
    }

    /** The store is full: a refusal the caller may retry elsewhere, or here after a restart of the plugin. */
    private static RpcException full(String description) {
        return Status.of(Status.Code.RESOURCE_EXHAUSTED)
                .withDescription(description + "; the store is emptied when " + "the plugin restarts")
                .asException(RpcException.Progress.ANSWERED);
    }

    /** The user that {@code id} (>= 0) names when nobody created one under it: same id, same fields. */
    static User syntheticUser(long id) {
        String digits = Long.toString(id);
        int slot = (int) (id % CITIES.length);
        User user = new User();
        user.setId(id);
        user.setName("user-" + digits);
        user.setEmail("user" + digits + "@example.com");
        user.setAge(18 + (int) (id % 63));
        user.setActive(id % 5 != 0);
        user.setBalance((id % 1_000_000) / 100.0);
        user.setCreatedAtMillis(EPOCH_2020_MILLIS + (id % TEN_YEARS_SECONDS) * 1000);
        user.setCity(CITIES[slot]);
        user.setCountry(COUNTRIES[slot]);
        user.setGender(GENDERS[(int) (id % GENDERS.length)]);
        List<String> tags = new ArrayList<>(3);
        tags.add("demo");
        tags.add(INTERESTS[(int) (id % INTERESTS.length)]);
        tags.add(user.isActive() ? "active" : "dormant");
        user.setTags(tags);
        Map<String, String> attributes = new HashMap<>(4);
        attributes.put("tier", TIERS[(int) (id % TIERS.length)]);
        attributes.put("referrer", "user-" + (id / 2));
        user.setAttributes(attributes);
        return user;
    }
}
