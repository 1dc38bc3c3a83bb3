package io.microrpc.kernel.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.kernel.config.KernelOption.Section;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/CONFIGURATION.md and {@link KernelOptions} agree: each section's table of kernel keys is the one
 * rendered from the declarations (key, default, accepted values, live or restart, meaning), and no
 * table documents a kernel key that is not declared.
 *
 * <p>After changing a declaration, regenerate the tables (the prose around them is kept):
 * {@code mvn -B -o -q -pl kernel -am test -Dtest=ConfigurationDocTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dmicrorpc.docs.write=true}.
 */
class ConfigurationDocTest {

    private static final Path DOC = Path.of("..", "docs", "CONFIGURATION.md");
    private static final String END = "<!-- end of kernel options -->";
    private static final Pattern ROW = Pattern.compile("(?m)^\\| ([^|]*) \\| ([^|]*) \\| ([^|]*) \\| ([^|]*) \\|");
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");

    static String begin(Section section) {
        return "<!-- kernel options: " + section.title()
                + " (generated from KernelOptions by ConfigurationDocTest; edit the declarations, not this table) -->";
    }

    /** The table of {@code section}'s keys, as docs/CONFIGURATION.md must have it. */
    static String table(Section section) {
        StringBuilder out =
                new StringBuilder("| key | default | accepted | applies | meaning |\n|---|---|---|---|---|\n");
        for (KernelOption<?> o : KernelOptions.all()) {
            if (o.section() == section) {
                out.append("| `")
                        .append(o.key())
                        .append("` | ")
                        .append(defaultCell(o))
                        .append(" | ")
                        .append(o.expected())
                        .append(" | ")
                        .append(appliesCell(o))
                        .append(" | ")
                        .append(o.doc())
                        .append(" |\n");
            }
        }
        return out.toString();
    }

    static String defaultCell(KernelOption<?> option) {
        String text = formatDefault(option);
        return text.isEmpty() ? "(empty)" : "`" + text + "`";
    }

    private static <T> String formatDefault(KernelOption<T> option) {
        return option.format(option.defaultValue());
    }

    static String appliesCell(KernelOption<?> option) {
        return option.live() ? "live" : "at restart";
    }

    /** The text between the markers of {@code section}'s table. */
    static String block(String doc, Section section) {
        int start = doc.indexOf(begin(section));
        assertThat(start)
                .as("docs/CONFIGURATION.md has the marker line: " + begin(section))
                .isNotNegative();
        int from = start + begin(section).length() + 1;
        int end = doc.indexOf(END, from);
        assertThat(end)
                .as("the table of " + section.title() + " ends with " + END)
                .isPositive();
        return doc.substring(from, end);
    }

    @Test
    void theTablesOfKernelKeysAreTheOnesRenderedFromTheDeclarations() throws IOException {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        if (Boolean.getBoolean("microrpc.docs.write")) {
            for (Section section : Section.values()) {
                doc = doc.replace(begin(section) + "\n" + block(doc, section), begin(section) + "\n" + table(section));
            }
            Files.writeString(DOC, doc, StandardCharsets.UTF_8);
        }
        for (Section section : Section.values()) {
            assertThat(block(doc, section))
                    .as("the table of " + section.title() + " in docs/CONFIGURATION.md differs from the declarations"
                            + " in KernelOptions; regenerate it with mvn -B -o -q -pl kernel -am test"
                            + " -Dtest=ConfigurationDocTest -Dsurefire.failIfNoSpecifiedTests=false"
                            + " -Dmicrorpc.docs.write=true")
                    .isEqualTo(table(section));
        }
    }

    @Test
    void everyDeclaredKeyIsDocumentedWithItsDefaultAndWhetherItIsLive() throws IOException {
        Map<String, String[]> rows = kernelKeyRows(Files.readString(DOC, StandardCharsets.UTF_8));
        for (KernelOption<?> o : KernelOptions.all()) {
            assertThat(rows)
                    .as("docs/CONFIGURATION.md has a row for " + o.key())
                    .containsKey(o.key());
            String[] row = rows.get(o.key());
            assertThat(row[1]).as("documented default of " + o.key()).isEqualTo(defaultCell(o));
            assertThat(row[3]).as("documented live/restart of " + o.key()).isEqualTo(appliesCell(o));
        }
    }

    @Test
    void noTableDocumentsAKernelKeyThatIsNotDeclared() throws IOException {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        List<String> undeclared = new ArrayList<>();
        for (String line : doc.split("\n")) {
            if (!line.startsWith("| ") || line.startsWith("| key ") || line.startsWith("|---")) {
                continue;
            }
            String firstCell = line.substring(2, line.indexOf(" |", 1));
            Matcher m = CODE.matcher(firstCell);
            while (m.find()) {
                String key = m.group(1);
                if (!isPluginOrPerServiceKey(key) && KernelOptions.forKey(key).isEmpty()) {
                    undeclared.add(key);
                }
            }
        }
        assertThat(undeclared)
                .as("keys documented in docs/CONFIGURATION.md that KernelOptions does not declare")
                .isEmpty();
    }

    /** The table of live keys names exactly the keys a running kernel applies; every other key needs a restart. */
    @Test
    void theLiveKeyTableNamesExactlyTheLiveKeys() throws IOException {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        int start = doc.indexOf("## Changing the configuration of a running kernel");
        String section = doc.substring(start, doc.indexOf("\n## ", start + 1));
        for (KernelOption<?> o : KernelOptions.all()) {
            assertThat(section.contains("`" + o.key() + "`"))
                    .as("the live-key table names " + o.key() + " iff it is live")
                    .isEqualTo(o.live());
        }
        assertThat(KernelSettings.isLive("loadbalancer[io.example.S]")).isTrue();
        assertThat(KernelSettings.isLive("call.serializer[io.example.S]")).isTrue();
        assertThat(KernelSettings.isLive("cluster.failover.retries")).isTrue();
        assertThat(KernelSettings.isLive("server.port")).isFalse();
    }

    /** Placeholders ({@code <point>.<name>.<key>}), per-service keys and plugin keys such as {@code registry.zookeeper.root}. */
    private static boolean isPluginOrPerServiceKey(String key) {
        if (key.contains("<") || key.contains("[") || !key.matches("[a-z][a-z0-9.-]*")) {
            return true;
        }
        String[] parts = key.split("\\.", 3);
        return parts.length == 3 && KernelSettings.EXTENSION_PREFIXES.contains(parts[0]);
    }

    private static Map<String, String[]> kernelKeyRows(String doc) {
        Map<String, String[]> rows = new LinkedHashMap<>();
        Matcher m = ROW.matcher(doc);
        while (m.find()) {
            Matcher key = CODE.matcher(m.group(1));
            if (key.matches()) {
                rows.put(key.group(1), new String[] {m.group(1), m.group(2), m.group(3), m.group(4)});
            }
        }
        return rows;
    }
}
