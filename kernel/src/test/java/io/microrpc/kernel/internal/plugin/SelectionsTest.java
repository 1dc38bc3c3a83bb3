package io.microrpc.kernel.internal.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.microrpc.kernel.config.ConfigException;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.testing.AlternatingBalancer;
import java.util.List;
import org.junit.jupiter.api.Test;

class SelectionsTest {

    private static final String LB = "loadbalancer";
    private static final String S = "io.example.UserService";

    private final KernelSettings configured = KernelSettings.builder()
            .loadbalancer("p2c,round-robin")
            .serviceSelection(LB, S, "consistent-hash")
            .build();

    @Test
    void aSwitchGoesAheadOfTheConfiguredChoiceWhichStaysBehindIt() {
        Selections s = Selections.from(configured)
                .with(LB, null, List.of("lowest-port"))
                .with(LB, S, List.of("random"));
        assertThat(s.preferences(LB, null)).containsExactly("lowest-port", "p2c", "round-robin");
        assertThat(s.preferences(LB, S))
                .containsExactly("random", "consistent-hash", "lowest-port", "p2c", "round-robin");
        assertThat(s.servicesWithOwn(LB)).containsExactly(S);
    }

    @Test
    void anEmptySwitchReturnsAServiceToTheGlobalChoiceOverItsConfiguredOne() {
        Selections s = Selections.from(configured).with(LB, S, List.of());
        assertThat(s.preferences(LB, S)).containsExactly("p2c", "round-robin");
        assertThat(s.servicesWithOwn(LB)).isEmpty();
    }

    @Test
    void anEditedConfigurationReplacesOnlyTheSwitchesOfThePointsItChanged() {
        Selections s = Selections.from(configured)
                .with(LB, null, List.of("lowest-port"))
                .with("cluster", null, List.of("failfast"));
        Selections edited =
                s.reconfigured(configured.toBuilder().loadbalancer("random").build());
        assertThat(edited.preferences(LB, null)).containsExactly("random");
        assertThat(edited.preferences("cluster", null)).containsExactly("failfast");
        assertThat(s.reconfigured(configured)).isEqualTo(s);
    }

    @Test
    void aChangedChoiceNobodyProvidesIsRefusedNamingTheKey() {
        List<LoadedExtension> loaded = List.of(new LoadedExtension(new AlternatingBalancer(), "lb-test", "1.0.0"));
        String name = new AlternatingBalancer().name();
        assertThatThrownBy(() -> Selections.checkProvided(
                        configured, configured.toBuilder().loadbalancer("nope").build(), loaded))
                .isInstanceOf(ConfigException.class)
                .hasMessage("loadbalancer: 'nope' (expected: a loaded loadbalancer: " + name + ")");
        // Unchanged choices are not judged (their plugin may be gone), and registry=none means no registry.
        Selections.checkProvided(
                configured, configured.toBuilder().registry("none").build(), loaded);
        Selections.checkProvided(
                configured, configured.toBuilder().loadbalancer(name).build(), loaded);
    }
}
