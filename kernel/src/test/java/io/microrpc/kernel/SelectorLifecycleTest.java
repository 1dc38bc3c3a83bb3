package io.microrpc.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.testing.JavaTestSerializer;
import io.microrpc.spi.Endpoint;
import io.microrpc.spi.LoadBalancer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kernel asks a load balancer for a selector when the candidates change, and at no other time. */
class SelectorLifecycleTest {

    public interface Who {
        int port();
    }

    @TempDir
    Path dir;

    private final List<MicroRpc> kernels = new ArrayList<>();

    @AfterEach
    void close() {
        kernels.forEach(MicroRpc::close);
    }

    /** Round robin; records every selector it is asked for and what it was handed. */
    static final class Counting implements LoadBalancer {
        final List<List<String>> built = new CopyOnWriteArrayList<>();
        final List<Selector> previous = new CopyOnWriteArrayList<>();
        final List<Selector> made = new CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return "counting";
        }

        @Override
        public Selector newSelector(String service, List<Endpoint> candidates, Selector replaced) {
            built.add(candidates.stream().map(Endpoint::address).sorted().toList());
            previous.add(replaced == null ? NONE : replaced);
            AtomicInteger next = new AtomicInteger();
            Selector s = (context, invocation, excluded) ->
                    candidates.get(Math.floorMod(next.getAndIncrement(), candidates.size()));
            made.add(s);
            return s;
        }

        static final Selector NONE = (c, i, e) -> null;
    }

    private MicroRpc server(KernelSettings.Builder base, int index) {
        MicroRpc server = MicroRpc.builder()
                .settings(base.dataDir(dir.resolve("s" + index)).build())
                .extension(new JavaTestSerializer())
                .start();
        server.export(Who.class, server::port);
        kernels.add(server);
        return server;
    }

    @Test
    void aSelectorIsBuiltPerChangeOfTheCandidatesAndHandedTheOneItReplaces() {
        KernelSettings.Builder base = KernelSettings.builder()
                .serverHost("127.0.0.1")
                .serverPort(0)
                .callSerializer("java-test")
                .pluginsDir(dir.resolve("none"));
        MicroRpc a = server(base, 1);
        MicroRpc b = server(base, 2);
        MicroRpc c = server(base, 3);
        Counting lb = new Counting();
        MicroRpc client = MicroRpc.builder()
                .settings(base.dataDir(dir.resolve("c")).build())
                .extension(new JavaTestSerializer())
                .extension(lb)
                .start();
        kernels.add(0, client);
        Who who = client.reference(
                Who.class,
                ReferenceOptions.builder()
                        .addresses(List.of("127.0.0.1:" + a.port(), "127.0.0.1:" + b.port(), "127.0.0.1:" + c.port()))
                        .build());
        await().until(() -> client.pendingCalls() == 0 && readyAll(who, 3));

        int before = lb.built.size();
        for (int i = 0; i < 300; i++) {
            who.port();
        }
        assertThat(lb.built).as("no change, no new selector").hasSize(before);
        assertThat(lb.built.get(lb.built.size() - 1)).hasSize(3);

        c.close();
        kernels.remove(c);
        await().untilAsserted(() -> {
            who.port();
            assertThat(lb.built.get(lb.built.size() - 1)).hasSize(2);
        });
        int last = lb.built.size() - 1;
        assertThat(lb.previous.get(last)).as("handed the selector it replaces").isSameAs(lb.made.get(last - 1));
        int afterChange = lb.built.size();
        for (int i = 0; i < 300; i++) {
            assertThat(who.port()).isIn(a.port(), b.port());
        }
        assertThat(lb.built).hasSize(afterChange);
    }

    /** Calls until all {@code n} providers answered one. */
    private static boolean readyAll(Who who, int n) {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 3 * n; i++) {
            seen.add(who.port());
        }
        return seen.size() == n;
    }
}
