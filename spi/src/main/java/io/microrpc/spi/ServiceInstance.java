package io.microrpc.spi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One provider of one service, as a registry stores it: where it listens and what it offers.
 * Immutable; build with {@link #builder(String, String, int)}.
 */
public final class ServiceInstance {

    public static final int DEFAULT_WEIGHT = 100;
    /** The largest weight: sums over thousands of providers stay far from overflowing an int. */
    public static final int MAX_WEIGHT = 1_000_000;
    /** The wire protocol version a provider speaks unless it says otherwise (docs/PROTOCOL.md). */
    public static final int DEFAULT_PROTOCOL_VERSION = 1;

    private final String service;
    private final String host;
    private final int port;
    private final int weight;
    private final int protocolVersion;
    private final String version;
    private final String group;
    private final List<String> serializers;
    private final long startTimestampMillis;
    private final Map<String, String> metadata;
    private final String address;

    private ServiceInstance(Builder b) {
        this.service = b.service;
        this.host = b.host;
        this.port = b.port;
        this.address = host + ':' + port;
        this.weight = b.weight;
        this.protocolVersion = b.protocolVersion;
        this.version = b.version;
        this.group = b.group;
        this.serializers = List.copyOf(b.serializers);
        this.startTimestampMillis = b.startTimestampMillis;
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(b.metadata));
    }

    public static Builder builder(String service, String host, int port) {
        return new Builder(service, host, port);
    }

    public String service() {
        return service;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** {@code host:port}. */
    public String address() {
        return address;
    }

    /** Relative weight for load balancing; 0 takes no traffic. */
    public int weight() {
        return weight;
    }

    /** The wire protocol version the provider speaks; consumers skip providers whose version they do not. */
    public int protocolVersion() {
        return protocolVersion;
    }

    public String version() {
        return version;
    }

    public String group() {
        return group;
    }

    /** Names of the serializers this provider accepts. */
    public List<String> serializers() {
        return serializers;
    }

    /** When the provider started, in epoch milliseconds (for warm-up); 0 if unknown. */
    public long startTimestampMillis() {
        return startTimestampMillis;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public Builder toBuilder() {
        Builder b = new Builder(service, host, port);
        b.weight = weight;
        b.protocolVersion = protocolVersion;
        b.version = version;
        b.group = group;
        b.serializers = serializers;
        b.startTimestampMillis = startTimestampMillis;
        b.metadata = new LinkedHashMap<>(metadata);
        return b;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ServiceInstance)) {
            return false;
        }
        ServiceInstance other = (ServiceInstance) o;
        return port == other.port
                && weight == other.weight
                && protocolVersion == other.protocolVersion
                && startTimestampMillis == other.startTimestampMillis
                && service.equals(other.service)
                && host.equals(other.host)
                && version.equals(other.version)
                && group.equals(other.group)
                && serializers.equals(other.serializers)
                && metadata.equals(other.metadata);
    }

    @Override
    public int hashCode() {
        return Objects.hash(service, host, port, weight, version, group);
    }

    @Override
    public String toString() {
        return service + '@' + address() + "{weight=" + weight + (version.isEmpty() ? "" : ", version=" + version)
                + (group.isEmpty() ? "" : ", group=" + group) + '}';
    }

    /** Not thread-safe; {@link #build()} returns an immutable snapshot. */
    public static final class Builder {
        private final String service;
        private final String host;
        private final int port;
        private int weight = DEFAULT_WEIGHT;
        private int protocolVersion = DEFAULT_PROTOCOL_VERSION;
        private String version = "";
        private String group = "";
        private List<String> serializers = List.of();
        private long startTimestampMillis;
        private Map<String, String> metadata = new LinkedHashMap<>();

        private Builder(String service, String host, int port) {
            this.service = Objects.requireNonNull(service, "service");
            this.host = Objects.requireNonNull(host, "host");
            if (port <= 0 || port > 65535) {
                throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
            }
            this.port = port;
        }

        public Builder weight(int weight) {
            if (weight < 0 || weight > MAX_WEIGHT) {
                throw new IllegalArgumentException("weight: " + weight + " (expected: 0-" + MAX_WEIGHT + ")");
            }
            this.weight = weight;
            return this;
        }

        public Builder protocolVersion(int protocolVersion) {
            if (protocolVersion < 1 || protocolVersion > 255) {
                throw new IllegalArgumentException("protocolVersion: " + protocolVersion + " (expected: 1-255)");
            }
            this.protocolVersion = protocolVersion;
            return this;
        }

        public Builder version(String version) {
            this.version = Objects.requireNonNull(version, "version");
            return this;
        }

        public Builder group(String group) {
            this.group = Objects.requireNonNull(group, "group");
            return this;
        }

        public Builder serializers(List<String> serializers) {
            this.serializers = List.copyOf(serializers);
            return this;
        }

        public Builder startTimestampMillis(long startTimestampMillis) {
            this.startTimestampMillis = startTimestampMillis;
            return this;
        }

        public Builder metadata(String key, String value) {
            metadata.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public ServiceInstance build() {
            return new ServiceInstance(this);
        }
    }
}
