package io.microrpc.kernel.internal.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RemediesTest {

    private final Remedies remedies = new Remedies("plugins");

    @Test
    void namesTheJarThatProvidedTheNameBefore() {
        remedies.learned(ExtensionPoints.LOAD_BALANCER, "lowest-port", "lowest-port-1.0.jar", "lb-lowest", "1.0.0");
        assertThat(remedies.remedy(ExtensionPoints.LOAD_BALANCER, List.of("lowest-port")))
                .isEqualTo(
                        "put lowest-port-1.0.jar (plugin lb-lowest 1.0.0), which provided 'lowest-port', back in plugins/, "
                                + "or switch loadbalancer to a loaded one");
    }

    @Test
    void namesTheDistributionsPluginOfAShippedName() {
        assertThat(remedies.remedy(ExtensionPoints.LOAD_BALANCER, List.of("p2c", "round-robin")))
                .isEqualTo("put plugin-lb-adaptive in plugins/");
        assertThat(remedies.remedy(ExtensionPoints.SERIALIZER, List.of("protostuff")))
                .isEqualTo("put plugin-codec-protostuff in plugins/");
    }

    @Test
    void doesNotGuessAPluginForANameNobodyProvided() {
        String remedy = remedies.remedy(ExtensionPoints.LOAD_BALANCER, List.of("lowest-port"));
        assertThat(remedy)
                .isEqualTo("no plugin this kernel has loaded provides 'lowest-port': put the JAR of the plugin "
                        + "that does in plugins/, or switch loadbalancer to a loaded one");
        assertThat(remedy).doesNotContain("plugin-lb");
    }

    @Test
    void anyExtensionOfThePointNamesThePointsPlugin() {
        assertThat(remedies.remedy(ExtensionPoints.LOAD_BALANCER, List.of()))
                .isEqualTo("put plugin-lb-weighted in plugins/");
    }
}
