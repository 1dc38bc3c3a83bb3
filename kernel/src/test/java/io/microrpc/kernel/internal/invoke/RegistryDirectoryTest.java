package io.microrpc.kernel.internal.invoke;

import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.internal.tls.TransportSecurity;
import io.microrpc.kernel.internal.transport.ClientTransport;
import io.microrpc.kernel.tls.DevCertificates;
import io.microrpc.spi.Endpoint;
import io.microrpc.spi.PluginContext;
import io.microrpc.spi.Registry;
import io.microrpc.spi.ServiceInstance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How a reference's provider list follows a registry's pushes (no connection is needed for that). */
class RegistryDirectoryTest {

    private static final String SERVICE = "io.example.EchoService";

    private final ClientTransport transport = new ClientTransport(KernelSettings.defaults(), null);

    @AfterEach
    void tearDown() {
        transport.close();
    }

    /** A registry whose pushes the test makes. */
    private static final class PushRegistry implements Registry {
        final List<Listener> listeners = new ArrayList<>();

        @Override
        public String name() {
            return "push";
        }

        @Override
        public void start(PluginContext context) {}

        @Override
        public void register(ServiceInstance instance) {}

        @Override
        public void unregister(ServiceInstance instance) {}

        @Override
        public Subscription subscribe(String service, Listener listener) {
            listeners.add(listener);
            return () -> listeners.remove(listener);
        }

        void push(ServiceInstance... providers) {
            List.copyOf(listeners).forEach(l -> l.onProviders(List.of(providers)));
        }
    }

    private static ServiceInstance provider(int port) {
        return ServiceInstance.builder(SERVICE, "127.0.0.1", port).build();
    }

    private static List<String> addresses(RegistryDirectory d) {
        return d.all().stream().map(e -> e.instance().address()).toList();
    }

    @Test
    void providersSpeakingAnotherProtocolVersionAreSkipped() {
        PushRegistry registry = new PushRegistry();
        RegistryDirectory d = new RegistryDirectory(SERVICE, transport);
        d.bind(registry);
        registry.push(
                provider(7001), provider(7002).toBuilder().protocolVersion(2).build());
        assertThat(addresses(d)).containsExactly("127.0.0.1:7001");
        // Once it speaks this kernel's version it is used.
        registry.push(provider(7001), provider(7002));
        assertThat(addresses(d)).containsExactly("127.0.0.1:7001", "127.0.0.1:7002");
        d.close();
    }

    @Test
    void aConsumerDialsOnlyProvidersWhoseTlsMatchesItsOwn() throws Exception {
        ServiceInstance tlsProvider = provider(7002).toBuilder()
                .metadata(MicroRpc.TLS_METADATA, "true")
                .build();
        PushRegistry registry = new PushRegistry();
        RegistryDirectory plain = new RegistryDirectory(SERVICE, transport);
        plain.bind(registry);
        registry.push(provider(7001), tlsProvider);
        assertThat(addresses(plain))
                .as("a consumer without TLS does not dial a provider that speaks only TLS")
                .containsExactly("127.0.0.1:7001");
        plain.close();

        Path certs = Files.createTempDirectory("tls");
        DevCertificates.writeDevelopmentSet(certs);
        KernelSettings tls = KernelSettings.builder()
                .tlsEnabled(true)
                .tlsTrust(certs.resolve(DevCertificates.CA))
                .build();
        try (TransportSecurity security = TransportSecurity.start(tls);
                ClientTransport secure = new ClientTransport(tls, security)) {
            RegistryDirectory d = new RegistryDirectory(SERVICE, secure);
            d.bind(registry);
            registry.push(provider(7001), tlsProvider);
            assertThat(addresses(d))
                    .as("nor does a consumer with TLS dial a plaintext provider")
                    .containsExactly("127.0.0.1:7002");
            d.close();
        }
    }

    @Test
    void aChangedWeightKeepsTheEndpointAndItsStatistics() {
        PushRegistry registry = new PushRegistry();
        RegistryDirectory d = new RegistryDirectory(SERVICE, transport);
        d.bind(registry);
        registry.push(provider(7001));
        Endpoint before = d.all().get(0);
        registry.push(provider(7001).toBuilder().weight(20).build());
        assertThat(d.all()).singleElement().isSameAs(before);
        assertThat(before.weight()).isEqualTo(20);
        d.close();
    }
}
