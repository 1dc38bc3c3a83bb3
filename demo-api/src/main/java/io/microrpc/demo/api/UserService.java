package io.microrpc.demo.api;

import java.util.List;

/**
 * A small user directory with a realistic payload. The benchmark's second service, after Dubbo's
 * benchmark of the same shape, so results can be compared.
 *
 * <p>Implementations are called concurrently from the kernel's threads and must be thread-safe.
 */
public interface UserService {

    /** Users on one page of {@link #listUser}. */
    int PAGE_SIZE = 15;

    /**
     * The user with that id.
     *
     * @throws UserNotFoundException when no user has that id; a caller sees it as an application
     *     error carrying this type's name and message
     */
    User getUser(long id);

    /**
     * Stores a copy of {@code user} under a new id and returns the id.
     *
     * <p>An implementation exposed to the network bounds what it stores. The demo plugin's refuses a
     * null user or one over a size limit (a string too long, too many tags or attributes) with an
     * {@link io.microrpc.spi.RpcException} of status {@code INVALID_ARGUMENT}, and every user once its
     * store is full (a number of users, or of bytes) with {@code RESOURCE_EXHAUSTED}; the message names
     * the limit and the configuration key that sets it.
     */
    long createUser(User user);

    /**
     * The {@link #PAGE_SIZE} users of page {@code page} (0-based); a negative page is refused with
     * {@code INVALID_ARGUMENT}.
     */
    List<User> listUser(int page);
}
