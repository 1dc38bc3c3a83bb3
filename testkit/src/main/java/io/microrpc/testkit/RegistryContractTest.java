package io.microrpc.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.microrpc.spi.PluginContext;
import io.microrpc.spi.Registry;
import io.microrpc.spi.ServiceInstance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The contract every {@link Registry} passes, as its Javadoc and docs/REGISTRY.md state it, between
 * instances that share one backend (as the kernels of providers and consumers do): a subscriber
 * receives the full current list of a service's providers soon after subscribing and after every
 * change, with every field of each instance as registered; registering an instance again replaces it;
 * unregistering removes that instance only; services are separate; every subscription is told, one
 * notification at a time; a closed subscription is told nothing more (closing twice is harmless); and
 * what a registry registered goes when it is stopped, retired or not.
 *
 * <p>The suite never needs a registry to push an empty list after a non-empty one, since a registry may
 * hold such a list back (the ZooKeeper registry's empty-push protection): the last provider of a service
 * never leaves in these tests.
 *
 * <p>Subclass it in the registry's tests and implement {@link #newRegistry()} and {@link #newContext()}:
 * every registry the suite starts gets a context of its own, all of them reaching the same backend (a
 * test server the subclass starts, for instance in a {@code @BeforeAll} method). Each test uses service
 * names of its own, so one backend may serve the whole class.
 */
public abstract class RegistryContractTest {

    private static final AtomicInteger SERVICES = new AtomicInteger();

    private final List<Registry> running = new ArrayList<>();
    private final List<Registry.Subscription> subscriptions = new ArrayList<>();
    private String testName = "test";

    /** A new, not yet started instance of the registry under test. */
    protected abstract Registry newRegistry();

    /**
     * The context of one registry instance: its configuration keys ({@code registry.<name>.*}, e.g. the
     * test server's address) and its data directory, which should not be shared between instances.
     */
    protected abstract PluginContext newContext();

    /** How long a change may take to reach the subscribers. */
    protected Duration notificationTimeout() {
        return Duration.ofSeconds(10);
    }

    @BeforeEach
    void nameTheServices(TestInfo info) {
        testName = info.getTestMethod().map(m -> m.getName()).orElse("test");
    }

    @AfterEach
    void stopEverything() {
        for (Registry.Subscription s : subscriptions) {
            s.close();
        }
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).stop();
        }
    }

    // ---- helpers for subclasses

    /** A started registry, stopped after the test unless the test stops it ({@link #stop}). */
    protected Registry startRegistry() throws Exception {
        Registry registry = newRegistry();
        registry.start(newContext());
        running.add(registry);
        return registry;
    }

    /** Stops {@code registry}, which the suite started, now rather than after the test. */
    protected void stop(Registry registry) {
        if (running.remove(registry)) {
            registry.stop();
        }
    }

    /** A service name no other test uses, e.g. {@code io.example.contract.registersS7}. */
    protected String newService() {
        return "io.example.contract." + testName + "S" + SERVICES.incrementAndGet();
    }

    /** An instance of {@code service} on 127.0.0.1 with every field set to a value other than its default. */
    protected static ServiceInstance instance(String service, int port) {
        return ServiceInstance.builder(service, "127.0.0.1", port)
                .weight(50)
                .version("1.0")
                .group("blue")
                .serializers(List.of("protostuff", "json"))
                .startTimestampMillis(1_700_000_000_000L)
                .metadata("zone", "eu-1")
                .metadata("rack", "r7")
                .build();
    }

    /** Subscribes {@code listener} through {@code registry}; the subscription is closed after the test. */
    protected Registry.Subscription subscribe(Registry registry, String service, RecordingListener listener) {
        Registry.Subscription s = registry.subscribe(service, listener);
        assertThat(s).as("subscription returned by %s", registry.name()).isNotNull();
        subscriptions.add(s);
        return s;
    }

    /** Waits until {@code listener}'s latest list holds exactly {@code expected}, in any order, and returns it. */
    protected List<ServiceInstance> awaitExactly(RecordingListener listener, ServiceInstance... expected)
            throws InterruptedException {
        Set<ServiceInstance> wanted = Set.of(expected);
        return listener.await(
                "of exactly " + wanted,
                list -> list.size() == expected.length && new HashSet<>(list).equals(wanted),
                notificationTimeout());
    }

    // ---- the contract

    @Test
    void hasAConfigurableName() {
        Registry registry = newRegistry();
        assertThat(registry.name()).matches("[a-z0-9-]+");
        assertThat(newRegistry().name()).isEqualTo(registry.name());
    }

    @Test
    void aSubscriberReceivesTheProvidersRegisteredBeforeIt() throws Exception {
        String service = newService();
        Registry provider = startRegistry();
        ServiceInstance a = instance(service, 7001);
        ServiceInstance b = instance(service, 7002);
        provider.register(a);
        provider.register(b);

        RecordingListener listener = new RecordingListener();
        subscribe(startRegistry(), service, listener);

        List<ServiceInstance> list = awaitExactly(listener, a, b);
        assertThat(list).as("every field as registered").containsExactlyInAnyOrder(a, b);
    }

    @Test
    void aSubscriberReceivesTheFullListAfterEveryChange() throws Exception {
        String service = newService();
        RecordingListener listener = new RecordingListener();
        subscribe(startRegistry(), service, listener);
        Registry provider = startRegistry();
        ServiceInstance a = instance(service, 7001);
        ServiceInstance b = instance(service, 7002);
        ServiceInstance c = instance(service, 7003);

        provider.register(a);
        awaitExactly(listener, a);
        provider.register(b);
        awaitExactly(listener, a, b);
        startRegistry().register(c);
        awaitExactly(listener, a, b, c);
    }

    @Test
    void registeringAnInstanceAgainReplacesIt() throws Exception {
        String service = newService();
        Registry provider = startRegistry();
        ServiceInstance a = instance(service, 7001);
        ServiceInstance b = instance(service, 7002);
        provider.register(a);
        provider.register(b);
        RecordingListener listener = new RecordingListener();
        subscribe(startRegistry(), service, listener);
        awaitExactly(listener, a, b);

        ServiceInstance lighter = a.toBuilder().weight(20).build();
        provider.register(lighter);
        awaitExactly(listener, lighter, b);
        ServiceInstance reconfigured = lighter.toBuilder()
                .serializers(List.of("json"))
                .metadata("zone", "eu-2")
                .build();
        provider.register(reconfigured);
        awaitExactly(listener, reconfigured, b);
    }

    @Test
    void unregisteringRemovesThatInstanceOnly() throws Exception {
        String service = newService();
        Registry provider = startRegistry();
        ServiceInstance a = instance(service, 7001);
        ServiceInstance b = instance(service, 7002);
        provider.register(a);
        provider.register(b);
        RecordingListener listener = new RecordingListener();
        subscribe(startRegistry(), service, listener);
        awaitExactly(listener, a, b);

        provider.unregister(a);

        awaitExactly(listener, b);
    }

    @Test
    void unregisteringAnInstanceNeverRegisteredIsHarmless() throws Exception {
        String service = newService();
        Registry provider = startRegistry();
        ServiceInstance a = instance(service, 7001);

        assertThatCode(() -> provider.unregister(instance(service, 7009))).doesNotThrowAnyException();

        provider.register(a);
        RecordingListener listener = new RecordingListener();
        subscribe(startRegistry(), service, listener);
        awaitExactly(listener, a);
    }

    @Test
    void servicesAreSeparate() throws Exception {
        String first = newService();
        String second = newService();
        Registry provider = startRegistry();
        ServiceInstance a = instance(first, 7001);
        ServiceInstance b = instance(second, 7001);
        provider.register(a);
        provider.register(b);

        Registry consumer = startRegistry();
        RecordingListener ofFirst = new RecordingListener();
        RecordingListener ofSecond = new RecordingListener();
        subscribe(consumer, first, ofFirst);
        subscribe(consumer, second, ofSecond);

        awaitExactly(ofFirst, a);
        awaitExactly(ofSecond, b);
        assertThat(ofFirst.all())
                .as("lists told to the subscriber of %s", first)
                .allMatch(l -> !l.contains(b));
        assertThat(ofSecond.all())
                .as("lists told to the subscriber of %s", second)
                .allMatch(l -> !l.contains(a));
    }

    @Test
    void everySubscriptionIsToldOneNotificationAtATime() throws Exception {
        String service = newService();
        Registry consumer = startRegistry();
        RecordingListener first = new RecordingListener();
        RecordingListener second = new RecordingListener();
        RecordingListener elsewhere = new RecordingListener();
        subscribe(consumer, service, first);
        subscribe(consumer, service, second);
        subscribe(startRegistry(), service, elsewhere);

        Registry provider = startRegistry();
        List<ServiceInstance> all = new ArrayList<>();
        for (int port = 7001; port <= 7010; port++) {
            ServiceInstance instance = instance(service, port);
            provider.register(instance);
            all.add(instance);
        }

        ServiceInstance[] expected = all.toArray(new ServiceInstance[0]);
        for (RecordingListener listener : List.of(first, second, elsewhere)) {
            awaitExactly(listener, expected);
            assertThat(listener.maxConcurrentCalls())
                    .as("calls of one subscription's listener at the same time")
                    .isEqualTo(1);
        }
    }

    @Test
    void aClosedSubscriptionIsToldNothingMore() throws Exception {
        String service = newService();
        Registry provider = startRegistry();
        ServiceInstance a = instance(service, 7001);
        provider.register(a);
        Registry consumer = startRegistry();
        RecordingListener closed = new RecordingListener();
        Registry.Subscription subscription = consumer.subscribe(service, closed);
        awaitExactly(closed, a);

        subscription.close();
        subscription.close();
        int told = closed.count();
        ServiceInstance b = instance(service, 7002);
        provider.register(b);

        // Once a subscription that is still open has seen the change, the closed one would have too.
        RecordingListener open = new RecordingListener();
        subscribe(consumer, service, open);
        awaitExactly(open, a, b);
        assertThat(closed.count())
                .as("notifications after close: %s", closed.all())
                .isEqualTo(told);
    }

    @Test
    void whatAStoppedRegistryRegisteredGoes() throws Exception {
        String service = newService();
        Registry leaving = startRegistry();
        ServiceInstance a = instance(service, 7001);
        ServiceInstance b = instance(service, 7002);
        leaving.register(a);
        startRegistry().register(b);
        RecordingListener listener = new RecordingListener();
        subscribe(startRegistry(), service, listener);
        awaitExactly(listener, a, b);

        stop(leaving);

        awaitExactly(listener, b);
    }

    /** {@link Registry#retire()}: a successor took over; what the retired one registered goes at its stop. */
    @Test
    void whatARetiredRegistryRegisteredGoesWhenItStops() throws Exception {
        String service = newService();
        Registry retiring = startRegistry();
        ServiceInstance a = instance(service, 7001);
        ServiceInstance b = instance(service, 7002);
        retiring.register(a);
        startRegistry().register(b);
        RecordingListener listener = new RecordingListener();
        subscribe(startRegistry(), service, listener);
        awaitExactly(listener, a, b);

        retiring.retire();
        stop(retiring);

        awaitExactly(listener, b);
    }
}
