package io.microrpc.plugin.service.demo;

import io.microrpc.demo.api.User;
import io.microrpc.spi.RpcException;
import io.microrpc.spi.Status;
import java.util.List;
import java.util.Map;

/**
 * Checks a user against the size limits of {@link DemoSettings} and estimates the heap its stored copy
 * takes. A user over a limit is refused with {@code INVALID_ARGUMENT} naming the field, its size, the
 * limit and the key that sets it. Immutable and thread-safe.
 */
final class UserBounds {

    /**
     * The estimate's fixed costs, in bytes, rounded up from a 64-bit JVM with compressed references: a
     * user (its object, the Long key and map entry it is stored under, its list and map copies), a
     * string beside its characters (object and array headers), a tag beside its string (a list slot),
     * an attribute beside its strings (a map node and table slot). Characters count 2 bytes, as UTF-16
     * strings take; the Latin-1 strings of compact strings take 1, so the estimate is an upper bound.
     */
    static final long USER_BYTES = 256;

    static final long STRING_BYTES = 48;
    static final long TAG_BYTES = 8;
    static final long ATTRIBUTE_BYTES = 48;

    private final DemoSettings settings;

    UserBounds(DemoSettings settings) {
        this.settings = settings;
    }

    /**
     * Fails unless {@code user}'s collections are within their limits. Checked first, on the caller's
     * object, so a user with a million tags is refused before anything is copied.
     */
    void checkCounts(User user) {
        List<String> tags = user.getTags();
        if (tags != null && tags.size() > settings.maxTags) {
            throw invalid("user.tags: " + tags.size() + " tags "
                    + expected(settings.maxTags + " tags", DemoSettings.MAX_TAGS));
        }
        Map<String, String> attributes = user.getAttributes();
        if (attributes != null && attributes.size() > settings.maxAttributes) {
            throw invalid("user.attributes: " + attributes.size() + " attributes "
                    + expected(settings.maxAttributes + " attributes", DemoSettings.MAX_ATTRIBUTES));
        }
    }

    /**
     * The estimated heap bytes of {@code copy}, a copy only this thread holds (so nothing changes it
     * between the check and the store); fails if one of its strings, or its collections, are too long.
     */
    long check(User copy) {
        checkCounts(copy);
        long bytes = USER_BYTES;
        bytes += string("user.name", copy.getName());
        bytes += string("user.email", copy.getEmail());
        bytes += string("user.city", copy.getCity());
        bytes += string("user.country", copy.getCountry());
        List<String> tags = copy.getTags();
        if (tags != null) {
            for (int i = 0; i < tags.size(); i++) {
                bytes += TAG_BYTES + string("user.tags[" + i + "]", tags.get(i));
            }
        }
        Map<String, String> attributes = copy.getAttributes();
        if (attributes != null) {
            for (Map.Entry<String, String> e : attributes.entrySet()) {
                bytes += ATTRIBUTE_BYTES + string("user.attributes key", e.getKey());
                bytes += string("user.attributes value", e.getValue());
            }
        }
        return bytes;
    }

    private long string(String what, String value) {
        if (value == null) {
            return 0;
        }
        if (value.length() > settings.maxStringLength) {
            throw invalid(what + ": " + value.length() + " characters "
                    + expected(settings.maxStringLength + " characters", DemoSettings.MAX_STRING_LENGTH));
        }
        return STRING_BYTES + 2L * value.length();
    }

    /** {@code (expected: at most 256 characters; the limit is service.demo.max-string-length)} */
    private String expected(String limit, String key) {
        return "(expected: at most " + limit + "; the limit is " + settings.key(key) + ")";
    }

    /** Without a stack trace: a refusal is an expected answer to bad input, not a failure of this code. */
    private static RpcException invalid(String description) {
        return Status.of(Status.Code.INVALID_ARGUMENT)
                .withDescription(description)
                .asException(RpcException.Progress.ANSWERED);
    }
}
