package io.microrpc.dist;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.microrpc.dist.archfixtures.cycle.a.CycleA;
import io.microrpc.dist.archfixtures.cycle.b.CycleB;
import io.microrpc.dist.archfixtures.plugin.a.PluginUsingKernel;
import io.microrpc.dist.archfixtures.plugin.b.PluginUsingOtherPlugin;
import io.microrpc.dist.archfixtures.spi.SpiUsingNetty;
import io.microrpc.kernel.MicroRpc;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module rules of docs/ARCHITECTURE.md ("Rules the build holds"), held by the build. Each rule but
 * the last is also applied to a fixture that breaks it, to prove the rule can fail (a rule that matches
 * no class passes vacuously).
 */
class ArchitectureTest {

    private static JavaClasses production;

    @BeforeAll
    static void importClasses() {
        production = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                // Test JARs on this module's test class path (the kernel's test helpers) are not production.
                .withImportOption(location -> !location.contains("-tests.jar"))
                .importPackages("io.microrpc");
    }

    static ArchRule spiDependsOnJdkAndPf4jOnly(String spiPackage) {
        return classes()
                .that()
                .resideInAPackage(spiPackage + "..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage("java..", "org.pf4j..", spiPackage + "..")
                .because("the spi is the stable contract plugins compile against: JDK and pf4j only");
    }

    static ArchRule kernelDoesNotReferencePlugins(String kernelPackage, String pluginPackage) {
        return noClasses()
                .that()
                .resideInAPackage(kernelPackage + "..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage(pluginPackage + "..")
                .because("the kernel holds no strategy: plugins are found at runtime, never compiled in");
    }

    static ArchRule pluginsDoNotReferenceKernel(String pluginPackage, String kernelPackage) {
        return noClasses()
                .that()
                .resideInAPackage(pluginPackage + "..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage(kernelPackage + "..")
                .because("plugins see the kernel only through the spi");
    }

    static ArchRule pluginsDoNotReferenceEachOther(String pluginPackage) {
        return slices().matching(pluginPackage + ".(*).(*)..")
                .should()
                .notDependOnEachOther()
                .because("each plugin is loaded by its own class loader and may be absent");
    }

    @Test
    void spiDependsOnlyOnJdkAndPf4j() {
        assertThat(production.that(DescribedPredicate.describe(
                        "spi", c -> c.getPackageName().startsWith("io.microrpc.spi"))))
                .isNotEmpty();
        spiDependsOnJdkAndPf4jOnly("io.microrpc.spi").check(production);
    }

    @Test
    void kernelReferencesNoPluginPackage() {
        kernelDoesNotReferencePlugins("io.microrpc.kernel", "io.microrpc.plugin")
                .check(production);
    }

    @Test
    void pluginsReferenceNeitherKernelNorEachOther() {
        assertThat(production.stream()
                        .filter(c -> c.getPackageName().startsWith("io.microrpc.plugin."))
                        .count())
                .as("plugin classes imported")
                .isGreaterThan(0);
        pluginsDoNotReferenceKernel("io.microrpc.plugin", "io.microrpc.kernel").check(production);
        pluginsDoNotReferenceEachOther("io.microrpc.plugin").check(production);
    }

    static ArchRule packagesFreeOfCycles(String root) {
        return slices().matching(root + ".(**)").should().beFreeOfCycles();
    }

    @Test
    void kernelPackagesAreFreeOfCycles() {
        packagesFreeOfCycles("io.microrpc.kernel").check(production);
    }

    @Test
    void kernelInternalsAreUsedOnlyByTheKernel() {
        noClasses()
                .that()
                .resideOutsideOfPackage("io.microrpc.kernel..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.microrpc.kernel.internal..")
                .check(production);
    }

    // ---- each rule can fail ----

    private static final String FIXTURES = "io.microrpc.dist.archfixtures";

    private static JavaClasses fixtures() {
        return new ClassFileImporter()
                .importClasses(
                        PluginUsingKernel.class,
                        PluginUsingOtherPlugin.class,
                        SpiUsingNetty.class,
                        MicroRpc.class,
                        CycleA.class,
                        CycleB.class);
    }

    @Test
    void rulesFailOnViolations() {
        JavaClasses bad = fixtures();
        assertThatThrownBy(() -> spiDependsOnJdkAndPf4jOnly(FIXTURES + ".spi").check(bad))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("SpiUsingNetty");
        assertThatThrownBy(() -> pluginsDoNotReferenceKernel(FIXTURES + ".plugin", "io.microrpc.kernel")
                        .check(bad))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("PluginUsingKernel");
        assertThatThrownBy(() -> pluginsDoNotReferenceEachOther(FIXTURES).check(bad))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("PluginUsingOtherPlugin");
        assertThatThrownBy(() -> kernelDoesNotReferencePlugins(FIXTURES + ".plugin.b", FIXTURES + ".plugin.a")
                        .check(bad))
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> packagesFreeOfCycles(FIXTURES + ".cycle").check(bad))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("CycleA");
    }
}
