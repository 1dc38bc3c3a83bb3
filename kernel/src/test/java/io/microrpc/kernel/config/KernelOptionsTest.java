package io.microrpc.kernel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The declarations in {@link KernelOptions} and what derives from them: accessors, builder, parsing, messages. */
class KernelOptionsTest {

    /** {@code server.max-frame-size} → {@code serverMaxFrameSize}. */
    static String accessorName(String key) {
        String[] parts = key.split("[.-]");
        StringBuilder out = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.length; i++) {
            out.append(Character.toUpperCase(parts[i].charAt(0))).append(parts[i].substring(1));
        }
        return out.toString();
    }

    @Test
    void everyKeyHasAnAccessorAndABuilderMethodNamedAfterIt() throws Exception {
        KernelSettings defaults = KernelSettings.defaults();
        for (KernelOption<?> o : KernelOptions.all()) {
            Method getter = KernelSettings.class.getMethod(accessorName(o.key()));
            assertThat(getter.invoke(defaults))
                    .as("%s() reads %s", getter.getName(), o.key())
                    .isEqualTo(o.defaultValue());
            Method setter = KernelSettings.Builder.class.getMethod(accessorName(o.key()), getter.getReturnType());
            KernelSettings.Builder b = KernelSettings.builder();
            assertThat(setter.invoke(b, o.defaultValue())).isSameAs(b);
        }
    }

    @Test
    void noAccessorIsLeftThatNoKeyNames() {
        var names = KernelOptions.all().stream().map(o -> accessorName(o.key())).collect(Collectors.toSet());
        var undeclared = Arrays.stream(KernelSettings.class.getDeclaredMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers()))
                .filter(m -> m.getParameterCount() == 0)
                .map(Method::getName)
                .filter(n -> !names.contains(n))
                .collect(Collectors.toSet());
        assertThat(undeclared)
                .as("accessors of KernelSettings that are not named after a key")
                .containsExactlyInAnyOrder("values", "serviceSelections", "toBuilder");
    }

    @Test
    void everyValueWrittenReadsBackTheSame() {
        Properties p = new Properties();
        KernelSettings.defaults().values().forEach(p::setProperty);
        assertThat(KernelSettings.fromProperties(p).values())
                .isEqualTo(KernelSettings.defaults().values());
        assertThat(KernelSettings.defaults().values())
                .containsEntry("protocol.max-frame-size", "8MiB")
                .containsEntry("call.timeout", "3s")
                .containsEntry("cluster", "")
                .hasSize(KernelOptions.all().size());
    }

    @Test
    void messagesNameTheKeyTheValueAndWhatIsExpected() {
        assertThatThrownBy(() -> KernelSettings.builder().serverPort(70000))
                .isInstanceOf(ConfigException.class)
                .hasMessage("server.port: 70000 (expected: 0-65535)");
        assertThatThrownBy(() -> KernelSettings.builder().set(KernelOptions.SERVER_MAX_BUFFERED_BYTES, 512 * 1024))
                .hasMessage("server.max-buffered-bytes: 512KiB (expected: >= 1MiB)");
        assertThatThrownBy(() -> KernelSettings.fromProperties(props("call.timeout", "soon")))
                .hasMessage("call.timeout: 'soon' (expected: a duration such as 250ms, 3s, 2m or PT3S, > 0)");
        assertThatThrownBy(() -> KernelSettings.fromProperties(props("server.worker-threads", "many")))
                .hasMessage("server.worker-threads: 'many' (expected: an integer, >= 1)");
        assertThatThrownBy(() -> KernelSettings.builder().callSerializer(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("call.serializer");
        assertThatThrownBy(() -> KernelSettings.builder()
                        .serverWriteBufferHighWater(4096)
                        .serverWriteBufferLowWater(8192)
                        .build())
                .hasMessage("server.write-buffer-high-water: 4KiB (expected: >= server.write-buffer-low-water 8KiB)");
    }

    @Test
    void aServiceSelectionForAnUnknownPointNamesThePointsTheBuilderTakes() {
        assertThatThrownBy(() -> KernelSettings.builder().serviceSelection("call.serializer", "S", "fory"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("point: 'call.serializer' (expected: one of [cluster, loadbalancer, serializer])");
        KernelSettings s = KernelSettings.builder()
                .serviceSelection("serializer", "io.example.S", "fory")
                .build();
        assertThat(s.values()).containsEntry("call.serializer[io.example.S]", "fory");
        assertThat(KernelSettings.fromProperties(props("call.serializer[io.example.S]", "fory"))
                        .serviceSelections())
                .isEqualTo(Map.of("serializer", Map.of("io.example.S", "fory")));
    }

    @Test
    void liveKeysComeFromTheNextSettingsAndTheOthersStay() {
        KernelSettings running = KernelSettings.builder().serverPort(7420).build();
        KernelSettings edited =
                KernelSettings.builder().serverPort(7430).cluster("failover").build();
        KernelSettings merged = running.withLiveFrom(edited);
        assertThat(merged.serverPort()).isEqualTo(7420);
        assertThat(merged.cluster()).isEqualTo("failover");
        assertThat(KernelSettings.changes(running, edited, false)).containsExactly("server.port: 7420 -> 7430");
        assertThat(KernelSettings.changes(running, edited, true)).containsExactly("cluster:  -> failover");
    }

    private static Properties props(String key, String value) {
        Properties p = new Properties();
        p.setProperty(key, value);
        return p;
    }

    @Test
    void changesOfSecretKeysDoNotShowTheirValues() {
        KernelSettings running = KernelSettings.builder()
                .extensionKey("filter.auth.client.hmac-key", "c2VjcmV0LW9uZQ==")
                .extensionKey("filter.auth.hmac.key.alice", "YWxpY2Uta2V5")
                .extensionKey("registry.zookeeper.auth", "microrpc:hunter2")
                .extensionKey("filter.auth.client.hmac-key-file", "/etc/a.key")
                .build();
        KernelSettings edited = running.toBuilder()
                .extensionKey("filter.auth.client.hmac-key", "c2VjcmV0LXR3bw==")
                .extensionKey("filter.auth.hmac.key.alice", "bmV3LWtleQ==")
                .extensionKey("registry.zookeeper.auth", "microrpc:swordfish")
                .extensionKey("filter.auth.client.hmac-key-file", "/etc/b.key")
                .build();
        List<String> lines = new ArrayList<>(KernelSettings.changes(running, edited, true));
        lines.addAll(KernelSettings.changes(running, edited, false));
        assertThat(String.join("\n", lines))
                .contains("filter.auth.client.hmac-key: changed (a secret")
                .contains("filter.auth.hmac.key.alice: changed (a secret")
                .contains("registry.zookeeper.auth: changed (a secret")
                .contains("filter.auth.client.hmac-key-file: /etc/a.key -> /etc/b.key")
                .doesNotContain("c2VjcmV0")
                .doesNotContain("hunter2")
                .doesNotContain("swordfish")
                .doesNotContain("bmV3LWtleQ");
        assertThat(KernelSettings.isSecret("tls.key")).as("a path").isFalse();
        assertThat(KernelSettings.isSecret("filter.auth.allow.io.example.Echo")).isFalse();
    }
}
