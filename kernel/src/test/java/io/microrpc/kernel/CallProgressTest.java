package io.microrpc.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.testing.JavaTestSerializer;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.Invoker;
import io.microrpc.spi.PluginContext;
import io.microrpc.spi.RpcException;
import io.microrpc.spi.RpcException.Progress;
import io.microrpc.spi.ServerFilter;
import io.microrpc.spi.ServerRequestContext;
import io.microrpc.spi.Status;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How far a failed call got, as the caller sees it: what decides whether a cluster policy may send it
 * to another provider. Over a real connection.
 */
class CallProgressTest {

    /** A test service: one method a filter refuses, one whose implementation relays a downstream refusal. */
    public interface Relay {
        String refusedByFilter();

        String relayed();
    }

    /** A service the server does not export. */
    public interface Unexported {
        String anything();
    }

    @TempDir
    Path dir;

    /** A server filter that turns {@code refusedByFilter} away before it runs, as a rate limit would. */
    private static final class Refuser implements ServerFilter {
        @Override
        public String name() {
            return "refuser";
        }

        @Override
        public void start(PluginContext context) {}

        @Override
        public CompletableFuture<Object> invoke(ServerRequestContext context, Invocation invocation, Invoker next) {
            if (invocation.methodName().equals("refusedByFilter")) {
                return CompletableFuture.failedFuture(Status.of(Status.Code.RESOURCE_EXHAUSTED)
                        .withDescription("over the limit")
                        .asException(Progress.REFUSED));
            }
            return next.invoke(invocation);
        }
    }

    @Test
    void theCallerLearnsWhetherTheServerRanTheCall() {
        KernelSettings.Builder base = KernelSettings.builder()
                .serverHost("127.0.0.1")
                .serverPort(0)
                .callSerializer("java-test")
                .pluginsDir(dir.resolve("none"));
        try (MicroRpc server = MicroRpc.builder()
                        .settings(base.dataDir(dir.resolve("s")).build())
                        .extension(new JavaTestSerializer())
                        .extension(new Refuser())
                        .start();
                MicroRpc client = MicroRpc.builder()
                        .settings(base.dataDir(dir.resolve("c")).build())
                        .extension(new JavaTestSerializer())
                        .start()) {
            server.export(Relay.class, new Relay() {
                @Override
                public String refusedByFilter() {
                    return "ran";
                }

                @Override
                public String relayed() {
                    // The implementation's own downstream call was refused; this call did run.
                    throw Status.of(Status.Code.UNAVAILABLE)
                            .withDescription("downstream refused")
                            .asException(Progress.REFUSED);
                }
            });
            Relay relay = client.reference(
                    Relay.class,
                    ReferenceOptions.builder()
                            .address("127.0.0.1:" + server.port())
                            .build());

            RpcException refused = catchThrowableOfType(RpcException.class, relay::refusedByFilter);
            assertThat(refused.code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(refused.progress())
                    .as("a filter's refusal before the implementation")
                    .isEqualTo(Progress.REFUSED);

            RpcException relayed = catchThrowableOfType(RpcException.class, relay::relayed);
            assertThat(relayed.code()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(relayed.progress())
                    .as("what the implementation threw is its answer")
                    .isEqualTo(Progress.ANSWERED);

            Unexported unexported = client.reference(
                    Unexported.class,
                    ReferenceOptions.builder()
                            .address("127.0.0.1:" + server.port())
                            .build());
            RpcException missing = catchThrowableOfType(RpcException.class, unexported::anything);
            assertThat(missing.code()).isEqualTo(Status.Code.NOT_FOUND);
            assertThat(missing.progress()).isEqualTo(Progress.REFUSED);

            server.close();
            RpcException unsent = catchThrowableOfType(RpcException.class, relay::relayed);
            assertThat(unsent.code()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(unsent.progress()).as("no connection: never sent").isEqualTo(Progress.NOT_SENT);
        }
    }

    @Test
    void everyProgressHasItsMeaningInTheSpi() {
        assertThat(List.of(Progress.values()))
                .containsExactly(Progress.NOT_SENT, Progress.REFUSED, Progress.LOST, Progress.ANSWERED);
        assertThat(Status.of(Status.Code.INTERNAL)
                        .asException(Progress.NOT_SENT)
                        .progress())
                .isEqualTo(Progress.NOT_SENT);
    }
}
