package io.microrpc.kernel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a reference reaches its providers and calls them: the provider addresses, the per-call timeout
 * and the serializer. Unset values come from the kernel's settings. Immutable; build with
 * {@link #builder()}.
 */
public final class ReferenceOptions {

    private final List<String> addresses;
    private final Duration timeout;
    private final String serializer;
    private final List<Class<?>> allowedTypes;

    private ReferenceOptions(Builder b) {
        this.addresses = List.copyOf(b.addresses);
        this.timeout = b.timeout;
        this.serializer = b.serializer;
        this.allowedTypes = List.copyOf(b.allowedTypes);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Direct {@code host:port} addresses of the providers. */
    public List<String> addresses() {
        return addresses;
    }

    /** The per-call timeout, or null for {@code call.timeout}. */
    public Duration timeout() {
        return timeout;
    }

    /** The serializer name, or null for {@code call.serializer}. */
    public String serializer() {
        return serializer;
    }

    /** Extra classes results may contain, beyond the interface's declared types. */
    public List<Class<?>> allowedTypes() {
        return allowedTypes;
    }

    /** Not thread-safe; {@link #build()} returns an immutable snapshot. */
    public static final class Builder {
        private final List<String> addresses = new ArrayList<>();
        private Duration timeout;
        private String serializer;
        private final List<Class<?>> allowedTypes = new ArrayList<>();

        private Builder() {}

        public Builder address(String hostPort) {
            addresses.add(Objects.requireNonNull(hostPort, "hostPort"));
            return this;
        }

        public Builder addresses(List<String> hostPorts) {
            hostPorts.forEach(this::address);
            return this;
        }

        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
            }
            this.timeout = timeout;
            return this;
        }

        public Builder serializer(String name) {
            this.serializer = Objects.requireNonNull(name, "name");
            return this;
        }

        public Builder allowType(Class<?> type) {
            allowedTypes.add(Objects.requireNonNull(type, "type"));
            return this;
        }

        public ReferenceOptions build() {
            return new ReferenceOptions(this);
        }
    }
}
