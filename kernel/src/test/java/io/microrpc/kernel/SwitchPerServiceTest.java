package io.microrpc.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.testing.AlternatingBalancer;
import io.microrpc.kernel.testing.EchoApi;
import io.microrpc.kernel.testing.EchoImpl;
import io.microrpc.kernel.testing.JavaTestSerializer;
import io.microrpc.kernel.testing.NoticeApi;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A per-service switch is accepted only for a service the kernel exports or references (by direct
 * addresses too): anything else would be accepted and do nothing.
 */
class SwitchPerServiceTest {

    private static final String ECHO = EchoApi.class.getName();
    private static final String NOPE = "com.nope.Service";

    @TempDir
    Path dir;

    private MicroRpc provider;
    private MicroRpc consumer;

    @BeforeEach
    void setUp() {
        provider = start("p");
        provider.export(EchoApi.class, new EchoImpl());
        consumer = start("c");
        consumer.reference(EchoApi.class, "127.0.0.1:" + provider.port());
    }

    @AfterEach
    void tearDown() {
        consumer.close();
        provider.close();
    }

    private MicroRpc start(String name) {
        KernelSettings settings = KernelSettings.builder()
                .serverPort(0)
                .serverHost("127.0.0.1")
                .callSerializer("java-test")
                .pluginsDir(dir.resolve("none"))
                .dataDir(dir.resolve(name))
                .build();
        return MicroRpc.builder()
                .settings(settings)
                .extension(new JavaTestSerializer())
                .extension(new AlternatingBalancer())
                .start();
    }

    @Test
    void aServiceReferencedByDirectAddressOrExportedCanBeSwitched() {
        consumer.admin().switchExtension("loadbalancer", "alternating", ECHO);
        assertThat(consumer.admin().activeExtensions()).containsKey("loadbalancer[" + ECHO + "]");
        provider.admin().switchExtension("cluster", "", ECHO);
        provider.admin().switchExtension("serializer", "java-test", ECHO);
        assertThat(provider.admin().activeExtensions()).containsKey("serializer[" + ECHO + "]");

        consumer.admin().switchExtension("loadbalancer", "", ECHO);
        assertThat(consumer.admin().activeExtensions()).doesNotContainKey("loadbalancer[" + ECHO + "]");
    }

    @Test
    void aServiceNeitherExportedNorReferencedIsRefusedNamingWhatIsKnownAndTheRemedy() {
        assertThatThrownBy(() -> consumer.admin().switchExtension("loadbalancer", "alternating", NOPE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("service: 'com.nope.Service'")
                .hasMessageContaining("exported: none; referenced: " + ECHO)
                .hasMessageContaining("configuration file: loadbalancer[com.nope.Service]=alternating");
        assertThatThrownBy(() -> provider.admin().switchExtension("serializer", "java-test", NOPE))
                .hasMessageContaining("exported: " + ECHO + "; referenced: none")
                .hasMessageContaining("call.serializer[com.nope.Service]=java-test");
        assertThatThrownBy(() -> consumer.admin().switchExtension("cluster", "", NOPE))
                .hasMessageContaining("remove cluster[com.nope.Service]");
        assertThat(consumer.admin().activeExtensions()).doesNotContainKey("loadbalancer[" + NOPE + "]");
    }

    @Test
    void aServiceReferencedLaterCanBeSwitchedOnceItsReferenceExists() {
        assertThatThrownBy(() ->
                        consumer.admin().switchExtension("loadbalancer", "alternating", NoticeApi.class.getName()))
                .isInstanceOf(IllegalArgumentException.class);
        consumer.reference(NoticeApi.class, "127.0.0.1:" + provider.port());
        consumer.admin().switchExtension("loadbalancer", "alternating", NoticeApi.class.getName());
        assertThat(consumer.admin().activeExtensions()).containsKey("loadbalancer[" + NoticeApi.class.getName() + "]");
    }

    @Test
    void theRegistryHasNoPerServiceChoice() {
        assertThatThrownBy(() -> provider.admin().switchExtension("registry", "board", ECHO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "service: '" + ECHO + "' (expected: none; the registry is chosen for the whole kernel");
    }
}
