package io.microrpc.testkit;

import io.microrpc.spi.Endpoint;
import io.microrpc.spi.ServiceInstance;
import java.util.Objects;

/**
 * A fake {@link Endpoint} whose statistics a test sets directly, the way the kernel's endpoint
 * would report them after some traffic.
 *
 * <p>Thread-safe: every field is volatile, so a test may change statistics while other threads
 * select. The setters mutate this instance and return it for chaining; {@link #address()},
 * {@link #weight()} and {@link #startTimestampMillis()} read plain fields (no allocation), and
 * {@link #instance()} reflects the current weight and start time. Equality is identity, as for the
 * kernel's endpoints: two endpoints at one address are still two objects.
 */
public final class TestEndpoint implements Endpoint {

    /** The service name endpoints get unless one is given. */
    public static final String DEFAULT_SERVICE = TestInvocation.SampleService.class.getName();

    private final String service;
    private final String host;
    private final int port;
    private final String address;
    private volatile int weight = ServiceInstance.DEFAULT_WEIGHT;
    private volatile long startTimestampMillis;
    private volatile int inFlight;
    private volatile long latencyEwmaNanos;
    private volatile long peakEwmaNanos;
    private volatile double successRate = 1.0;
    private volatile ServiceInstance instance;

    private TestEndpoint(String service, String host, int port) {
        this.service = Objects.requireNonNull(service, "service");
        this.host = Objects.requireNonNull(host, "host");
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
        }
        this.port = port;
        this.address = host + ':' + port;
    }

    /** An endpoint of {@link #DEFAULT_SERVICE} at {@code host:port}, weight 100, no statistics yet. */
    public static TestEndpoint of(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("hostPort: '" + hostPort + "' (expected: host:port)");
        }
        return new TestEndpoint(
                DEFAULT_SERVICE, hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    public static TestEndpoint of(String service, String host, int port) {
        return new TestEndpoint(service, host, port);
    }

    /** {@code count} endpoints {@code 10.0.<i/250>.<i%250+1>:7420}, weight 100 each. */
    public static TestEndpoint[] many(int count) {
        TestEndpoint[] out = new TestEndpoint[count];
        for (int i = 0; i < count; i++) {
            out[i] = of("10.0." + i / 250 + '.' + (i % 250 + 1) + ":7420");
        }
        return out;
    }

    /** A new endpoint with the same address and statistics: what a reconnect or a registry update may hand over. */
    public TestEndpoint copy() {
        return new TestEndpoint(service, host, port)
                .weight(weight)
                .startTimestampMillis(startTimestampMillis)
                .inFlight(inFlight)
                .latencyEwmaNanos(latencyEwmaNanos)
                .peakEwmaNanos(peakEwmaNanos)
                .successRate(successRate);
    }

    public TestEndpoint weight(int weight) {
        if (weight < 0) {
            throw new IllegalArgumentException("weight: " + weight + " (expected: >= 0)");
        }
        this.weight = weight;
        this.instance = null;
        return this;
    }

    public TestEndpoint startTimestampMillis(long startTimestampMillis) {
        this.startTimestampMillis = startTimestampMillis;
        this.instance = null;
        return this;
    }

    public TestEndpoint inFlight(int inFlight) {
        this.inFlight = inFlight;
        return this;
    }

    public TestEndpoint latencyEwmaNanos(long nanos) {
        this.latencyEwmaNanos = nanos;
        return this;
    }

    public TestEndpoint peakEwmaNanos(long nanos) {
        this.peakEwmaNanos = nanos;
        return this;
    }

    /** Sets both the latency EWMA and the peak EWMA. */
    public TestEndpoint latencyNanos(long nanos) {
        return latencyEwmaNanos(nanos).peakEwmaNanos(nanos);
    }

    public TestEndpoint successRate(double successRate) {
        if (!(successRate >= 0.0 && successRate <= 1.0)) {
            throw new IllegalArgumentException("successRate: " + successRate + " (expected: 0.0-1.0)");
        }
        this.successRate = successRate;
        return this;
    }

    @Override
    public ServiceInstance instance() {
        ServiceInstance i = instance;
        if (i == null) {
            i = ServiceInstance.builder(service, host, port)
                    .weight(weight)
                    .startTimestampMillis(startTimestampMillis)
                    .build();
            instance = i;
        }
        return i;
    }

    @Override
    public String address() {
        return address;
    }

    @Override
    public int weight() {
        return weight;
    }

    @Override
    public long startTimestampMillis() {
        return startTimestampMillis;
    }

    @Override
    public int inFlight() {
        return inFlight;
    }

    @Override
    public long latencyEwmaNanos() {
        return latencyEwmaNanos;
    }

    @Override
    public long peakEwmaNanos() {
        return peakEwmaNanos;
    }

    @Override
    public double successRate() {
        return successRate;
    }

    @Override
    public String toString() {
        return address + "{weight=" + weight + ", inFlight=" + inFlight + ", peakEwma=" + peakEwmaNanos + "ns}";
    }
}
