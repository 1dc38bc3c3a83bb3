package io.microrpc.plugin.filter.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.microrpc.spi.ClientRequestContext;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.Invoker;
import io.microrpc.spi.RequestContext;
import io.microrpc.spi.RpcException;
import io.microrpc.spi.ServerRequestContext;
import io.microrpc.spi.Status;
import io.microrpc.testkit.TestInvocation;
import io.microrpc.testkit.TestPluginContext;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The rate limiting filter on a fake ticker: exact counts, no real time. */
class RateLimitTest {

    private static final String SERVICE = TestInvocation.SampleService.class.getName();

    private TestPluginContext context;
    private final AtomicInteger passed = new AtomicInteger();

    private RateLimit filter(String... keysAndValues) {
        context = TestPluginContext.forExtension("filter", "ratelimit", keysAndValues);
        RateLimit f = new RateLimit();
        f.start(context);
        return f;
    }

    private Invocation call(String method) {
        return method.equals("lookup")
                ? TestInvocation.lookup("k")
                : TestInvocation.of(TestInvocation.SampleService.class, method);
    }

    /** Calls {@code method} {@code n} times at the current instant; returns how many were admitted. */
    private int admitted(RateLimit f, String method, int n) {
        int before = passed.get();
        for (int i = 0; i < n; i++) {
            CompletableFuture<Object> r = serve(f, call(method), inv -> {
                passed.incrementAndGet();
                return CompletableFuture.completedFuture("ok");
            });
            assertThat(r).isDone();
        }
        return passed.get() - before;
    }

    private static CompletableFuture<Object> serve(RateLimit f, Invocation invocation, Invoker next) {
        return f.invoke(SERVER_CALL, invocation, next);
    }

    /** Calls {@code method} {@code n} times on {@code side} at the current instant; returns how many were admitted. */
    private int admittedOn(RequestContext.Side side, RateLimit f, String method, int n) {
        int before = passed.get();
        for (int i = 0; i < n; i++) {
            Invoker next = inv -> {
                passed.incrementAndGet();
                return CompletableFuture.completedFuture("ok");
            };
            Invocation invocation = call(method);
            CompletableFuture<Object> r = side == RequestContext.Side.SERVER
                    ? f.invoke(SERVER_CALL, invocation, next)
                    : f.invoke(CLIENT_CALL, invocation, next);
            assertThat(r).isDone();
        }
        return passed.get() - before;
    }

    private static final ServerRequestContext SERVER_CALL = (ServerRequestContext) Proxy.newProxyInstance(
            RateLimitTest.class.getClassLoader(), new Class<?>[] {ServerRequestContext.class}, (p, m, a) -> {
                throw new UnsupportedOperationException(m.getName());
            });

    private static final ClientRequestContext CLIENT_CALL = (ClientRequestContext) Proxy.newProxyInstance(
            RateLimitTest.class.getClassLoader(), new Class<?>[] {ClientRequestContext.class}, (p, m, a) -> {
                throw new UnsupportedOperationException(m.getName());
            });

    private static RpcException rejection(CompletableFuture<Object> r) {
        try {
            r.get();
        } catch (ExecutionException e) {
            return RpcException.find(e.getCause());
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("expected a rejection");
    }

    @Test
    void aServiceLimitAdmitsItsRatePlusTheBurstAndRefillsWithTime() {
        RateLimit f = filter("limit." + SERVICE, "10/s", "burst", "500ms");
        // 1 + burst / interval = 1 + 500 ms / 100 ms.
        assertThat(admitted(f, "ping", 20)).isEqualTo(6);
        context.advance(Duration.ofMillis(100));
        assertThat(admitted(f, "ping", 20)).isEqualTo(1);
        context.advance(Duration.ofSeconds(10));
        assertThat(admitted(f, "ping", 20))
                .as("a long pause refills no more than the burst")
                .isEqualTo(6);
        // The service limit covers its methods together.
        context.advance(Duration.ofSeconds(1));
        assertThat(admitted(f, "ping", 3) + admitted(f, "lookup", 10)).isEqualTo(6);
    }

    @Test
    void aMethodLimitIsSeparateFromItsServicesLimit() {
        RateLimit f = filter("limit." + SERVICE, "100/s", "limit." + SERVICE + "/lookup", "2/s", "burst", "0s");
        assertThat(admitted(f, "lookup", 5)).isEqualTo(1);
        assertThat(admitted(f, "ping", 5))
                .as("lookup's calls did not use the service's bucket")
                .isEqualTo(1);
        context.advance(Duration.ofMillis(40));
        assertThat(admitted(f, "lookup", 5)).as("2/s: not yet").isZero();
        assertThat(admitted(f, "ping", 5))
                .as("100/s, no burst: one per instant")
                .isEqualTo(1);
        context.advance(Duration.ofMillis(460));
        assertThat(admitted(f, "lookup", 5)).isEqualTo(1);
    }

    @Test
    void withoutALimitCallsPassAndADefaultGivesEachServiceItsOwn() {
        RateLimit none = filter("limit.io.example.Other", "1/h");
        assertThat(admitted(none, "ping", 1000)).isEqualTo(1000);

        RateLimit defaulted = filter("default", "1/h", "burst", "0s");
        assertThat(admitted(defaulted, "ping", 3)).isEqualTo(1);
    }

    @Test
    void aRejectedCallFailsAtOnceNamingTheLimitAndItsKey() {
        RateLimit f = filter("limit." + SERVICE + "/ping", "1/m", "burst", "0s");
        admitted(f, "ping", 1);
        AtomicInteger reached = new AtomicInteger();
        CompletableFuture<Object> r = serve(f, call("ping"), inv -> {
            reached.incrementAndGet();
            return CompletableFuture.completedFuture("ok");
        });
        RpcException e = rejection(r);
        assertThat(reached).as("the service was not called").hasValue(0);
        assertThat(e.code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(e.progress()).as("not run: another provider may take it").isEqualTo(RpcException.Progress.REFUSED);
        assertThat(e.getMessage())
                .isEqualTo("RESOURCE_EXHAUSTED: rate limit of " + SERVICE + "/ping exceeded: 1/m "
                        + "(filter.ratelimit.limit." + SERVICE + "/ping, enforced by the server)");
    }

    @Test
    void eachSideIsLimitedOnlyWhenConfiguredAndWithBucketsOfItsOwn() {
        String[] oneAMinute = {"limit." + SERVICE + "/ping", "1/m", "burst", "0s"};
        RateLimit server = filter(oneAMinute);
        assertThat(admittedOn(RequestContext.Side.SERVER, server, "ping", 3)).isEqualTo(1);
        assertThat(admittedOn(RequestContext.Side.CLIENT, server, "ping", 3))
                .as("not limited")
                .isEqualTo(3);

        RateLimit client = filter(concat(oneAMinute, "side", "Client"));
        assertThat(admittedOn(RequestContext.Side.CLIENT, client, "ping", 3)).isEqualTo(1);
        assertThat(admittedOn(RequestContext.Side.SERVER, client, "ping", 3))
                .as("not limited")
                .isEqualTo(3);

        RateLimit both = filter(concat(oneAMinute, "side", "both"));
        assertThat(admittedOn(RequestContext.Side.CLIENT, both, "ping", 3)).isEqualTo(1);
        assertThat(admittedOn(RequestContext.Side.SERVER, both, "ping", 3))
                .as("the server's bucket is not the client's")
                .isEqualTo(1);
        assertThat(server.order()).as("outermost").isNegative();
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void invalidSettingsAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> filter("limit.a.B", "fast"))
                .hasMessage("filter.ratelimit.limit.a.B: 'fast' (expected: a rate such as 500/s, 20/m or 1/h)");
        assertThatThrownBy(() -> filter("limit.a.B", "10/d"))
                .hasMessage(
                        "filter.ratelimit.limit.a.B: '10/d' (expected: a unit of s, m or h after the '/', e.g. 500/s)");
        assertThatThrownBy(() -> filter("limit.a.B", "0/s"))
                .hasMessage("filter.ratelimit.limit.a.B: '0/s' (expected: 1 to 1000000000 calls per unit)");
        assertThatThrownBy(() -> filter("limit.a.B", "x/s")).hasMessageContaining("a whole number of calls");
        assertThatThrownBy(() -> filter("limit.", "1/s"))
                .hasMessageContaining("a key limit.<service> or limit.<service>/<method>");
        assertThatThrownBy(() -> filter("limit.a/b/c", "1/s")).hasMessageContaining("a key limit.<service>");
        assertThatThrownBy(() -> filter("side", "middle"))
                .hasMessage("filter.ratelimit.side: 'middle' (expected: server, client or both)");
        assertThatThrownBy(() -> filter("burst", "-1s")).hasMessageStartingWith("filter.ratelimit.burst: ");
        assertThatThrownBy(() -> filter("limits.a.B", "1/s"))
                .hasMessageContaining("one of side, burst, default, limit.<service>");
    }

    @Test
    void concurrentCallersTogetherGetExactlyTheBucket() throws Exception {
        RateLimit f = filter("limit." + SERVICE, "1000/s", "burst", "99ms");
        // 1 + 99 ms / 1 ms = 100 calls at one instant, whoever makes them.
        Thread[] threads = new Thread[8];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> admitted(f, "ping", 1000));
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(passed).hasValue(100);
    }
}
