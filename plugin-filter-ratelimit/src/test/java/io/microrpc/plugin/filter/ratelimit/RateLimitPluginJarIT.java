package io.microrpc.plugin.filter.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.ReferenceOptions;
import io.microrpc.kernel.config.ConfigException;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.testing.CallerLoad;
import io.microrpc.kernel.testing.EchoApi;
import io.microrpc.kernel.testing.EchoImpl;
import io.microrpc.kernel.testing.JavaTestSerializer;
import io.microrpc.kernel.testing.PackagedPlugin;
import io.microrpc.spi.RpcException;
import io.microrpc.spi.Status;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged plugin JAR in a provider's plugins folder, limiting one method over a real connection. */
class RateLimitPluginJarIT {

    @TempDir
    Path dir;

    @Test
    void theProviderRejectsCallsBeyondTheLimitAndKeepsServingOthers() throws Exception {
        Path plugins = PackagedPlugin.copyInto(dir.resolve("plugins"), "filter-ratelimit.jar");
        String echo = EchoApi.class.getName() + "/echo";

        // One call an hour, no burst: the second call is over the limit however fast the machine is.
        KernelSettings providerSettings = KernelSettings.builder()
                .serverHost("127.0.0.1")
                .serverPort(0)
                .callSerializer("java-test")
                .pluginsDir(plugins)
                .pluginsWatch(false)
                .dataDir(dir.resolve("p"))
                .extensionKey("filter.ratelimit.limit." + echo, "1/h")
                .extensionKey("filter.ratelimit.burst", "0s")
                .build();
        try (MicroRpc provider = MicroRpc.builder()
                        .settings(providerSettings)
                        .extension(new JavaTestSerializer())
                        .start();
                MicroRpc client = MicroRpc.builder()
                        .settings(KernelSettings.builder()
                                .callSerializer("java-test")
                                .pluginsDir(dir.resolve("none"))
                                .dataDir(dir.resolve("c"))
                                .build())
                        .extension(new JavaTestSerializer())
                        .start()) {
            assertThat(provider.admin().activeExtensions().get("filters")).contains("ratelimit");
            provider.export(EchoApi.class, new EchoImpl());
            EchoApi api = client.reference(
                    EchoApi.class,
                    ReferenceOptions.builder()
                            .address("127.0.0.1:" + provider.port())
                            .build());

            assertThat(api.echo("first")).isEqualTo("first");
            Throwable t = catchThrowable(() -> api.echo("second"));
            assertThat(t).isInstanceOfSatisfying(RpcException.class, e -> {
                assertThat(e.code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                assertThat(e.getMessage())
                        .contains("rate limit of " + echo + " exceeded: 1/h")
                        .contains("filter.ratelimit.limit." + echo);
            });
            assertThat(api.add(20, 22)).as("other methods are not limited").isEqualTo(42);
        }
    }

    @Test
    void aLimitEditedInTheRunningProviderAppliesToNewCalls() throws Exception {
        Path plugins = PackagedPlugin.copyInto(dir.resolve("plugins"), "filter-ratelimit.jar");
        String echo = EchoApi.class.getName() + "/echo";
        String key = "filter.ratelimit.limit." + echo;
        KernelSettings limited = KernelSettings.builder()
                .serverHost("127.0.0.1")
                .serverPort(0)
                .callSerializer("java-test")
                .pluginsDir(plugins)
                .pluginsWatch(false)
                .dataDir(dir.resolve("p"))
                .extensionKey(key, "1/h")
                .extensionKey("filter.ratelimit.burst", "0s")
                .build();
        try (MicroRpc provider = MicroRpc.builder()
                        .settings(limited)
                        .extension(new JavaTestSerializer())
                        .start();
                MicroRpc client = MicroRpc.builder()
                        .settings(KernelSettings.builder()
                                .callSerializer("java-test")
                                .pluginsDir(dir.resolve("none"))
                                .dataDir(dir.resolve("c"))
                                .build())
                        .extension(new JavaTestSerializer())
                        .start()) {
            provider.export(EchoApi.class, new EchoImpl());
            EchoApi api = client.reference(
                    EchoApi.class,
                    ReferenceOptions.builder()
                            .address("127.0.0.1:" + provider.port())
                            .build());
            CallerLoad others = new CallerLoad(() -> assertThat(api.add(1, 2)).isEqualTo(3), 2).start();
            assertThat(api.echo("first")).isEqualTo("first");
            assertThat(catchThrowable(() -> api.echo("second"))).isInstanceOf(RpcException.class);

            // Raised while calls run: the filter restarts with the new limit, new calls pass.
            assertThat(provider.reconfigure(
                            limited.toBuilder().extensionKey(key, "100000/s").build()))
                    .containsExactly(key + ": 1/h -> 100000/s");
            for (int i = 0; i < 100; i++) {
                assertThat(api.echo("again")).isEqualTo("again");
            }

            // A value the plugin refuses is refused as a whole, naming the key; the running limit stays.
            assertThatThrownBy(() -> provider.reconfigure(
                            limited.toBuilder().extensionKey(key, "fast").build()))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining(key + ": 'fast' (expected:");
            assertThat(api.echo("still")).isEqualTo("still");
            others.stop();
            assertThat(others.failures())
                    .as("calls of other methods while the limit changed")
                    .isEmpty();
        }
    }
}
