package io.microrpc.plugin.lb.adaptive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import org.junit.jupiter.api.Test;

/** The pf4j annotation processor indexes the extensions, which is how the kernel finds them in the JAR. */
class ExtensionIndexTest {

    @Test
    void extensionsAreIndexed() throws IOException {
        StringBuilder index = new StringBuilder();
        for (URL url : Collections.list(getClass().getClassLoader().getResources("META-INF/extensions.idx"))) {
            try (InputStream in = url.openStream()) {
                index.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        assertThat(index.toString())
                .contains(
                        LeastActive.class.getName(),
                        ShortestResponse.class.getName(),
                        PowerOfTwoChoices.class.getName());
    }
}
