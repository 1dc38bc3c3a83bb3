package io.microrpc.testkit;

import io.microrpc.spi.CallType;
import io.microrpc.spi.ClientRequestContext;
import io.microrpc.spi.Deadline;
import io.microrpc.spi.Endpoint;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.MethodDescriptor;
import io.microrpc.spi.Ticker;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Builds {@link Invocation}s the way the kernel would for a method of an RPC interface: the service
 * name is the interface's name (unless {@link Builder#service} says otherwise), the deadline 30 s away;
 * and the {@link ClientRequestContext} a load balancer's selector gets with one ({@link #callContext}).
 *
 * <pre>{@code
 * Invocation call = TestInvocation.of(SampleService.class, "lookup", "user-17");
 * Invocation tenant = TestInvocation.builder(SampleService.class, "query")
 *         .args("acme", 42L).attachment("tenant", "acme").build();
 * }</pre>
 */
public final class TestInvocation {

    /** An RPC interface with the shapes load balancing tests need: one key, none, two arguments. */
    public interface SampleService {
        String lookup(String key);

        String ping();

        String query(String tenant, long id);

        String find(long id);
    }

    private TestInvocation() {}

    /** An invocation of {@code method} of {@code api} with {@code args} and no attachments. */
    public static Invocation of(Class<?> api, String method, Object... args) {
        return builder(api, method).args(args).build();
    }

    /** {@code SampleService.lookup(key)}. */
    public static Invocation lookup(String key) {
        return of(SampleService.class, "lookup", key);
    }

    public static Builder builder(Class<?> api, String method) {
        return new Builder(api, method);
    }

    /**
     * The context of {@code invocation}'s call as a whole, as the kernel hands it to a selector: attempt
     * 0, no endpoint, no retry cause, not cancelled; {@link ClientRequestContext#cancel()} does nothing.
     */
    public static ClientRequestContext callContext(Invocation invocation) {
        return new CallContext(invocation);
    }

    /** Immutable. */
    private record CallContext(Invocation invocation) implements ClientRequestContext {
        @Override
        public MethodDescriptor method() {
            return invocation.method();
        }

        @Override
        public Deadline deadline() {
            return invocation.deadline();
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return null;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public int attempt() {
            return 0;
        }

        @Override
        public Endpoint endpoint() {
            return null;
        }

        @Override
        public Throwable retryCause() {
            return null;
        }

        @Override
        public void cancel() {}
    }

    /** Not thread-safe; {@link #build()} returns an immutable invocation. */
    public static final class Builder {
        private final Method method;
        private String service;
        private Object[] args = new Object[0];
        private final Map<String, String> attachments = new LinkedHashMap<>();

        private Builder(Class<?> api, String methodName) {
            Objects.requireNonNull(api, "api");
            Objects.requireNonNull(methodName, "method");
            this.method = Arrays.stream(api.getMethods())
                    .filter(m -> m.getName().equals(methodName))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(
                            "method: '" + methodName + "' (expected: a method of " + api.getName() + ")"));
            this.service = api.getName();
        }

        /** Overrides the service name (default: the interface's name). */
        public Builder service(String service) {
            this.service = Objects.requireNonNull(service, "service");
            return this;
        }

        public Builder args(Object... args) {
            this.args = args == null ? new Object[0] : args.clone();
            return this;
        }

        public Builder attachment(String key, String value) {
            attachments.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public Invocation build() {
            MethodDescriptor descriptor = new MethodDescriptor(
                    service,
                    method,
                    Arrays.asList(method.getParameterTypes()),
                    method.getReturnType(),
                    method.getGenericReturnType(),
                    CallType.SYNC,
                    false);
            return Invocation.of(
                    descriptor, args.clone(), attachments, Deadline.after(Duration.ofSeconds(30), Ticker.system()));
        }
    }
}
