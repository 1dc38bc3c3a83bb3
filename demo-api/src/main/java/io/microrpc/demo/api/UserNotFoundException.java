package io.microrpc.demo.api;

/**
 * No user has the requested id. A business error: a caller sees its type name and message, and the
 * kernel never retries it.
 */
public class UserNotFoundException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final long id;

    public UserNotFoundException(long id) {
        super("no user with id " + id);
        this.id = id;
    }

    /** The id that was asked for. */
    public long id() {
        return id;
    }
}
