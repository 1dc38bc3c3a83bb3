package io.microrpc.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.testing.EchoApi;
import io.microrpc.kernel.testing.EchoImpl;
import io.microrpc.kernel.testing.JavaTestSerializer;
import io.microrpc.kernel.testing.RawClient;
import io.microrpc.kernel.testing.RawFrame;
import io.microrpc.spi.AllowedTypes;
import io.microrpc.spi.Serializer;
import io.microrpc.spi.Status;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A codec plugin that fails with an {@link Error} while reading arguments, as protostuff did on fuzzed
 * input (an OutOfMemoryError for a field declared 2^31 - 1 bytes long, an AssertionError under -ea): the
 * caller still gets an answer, the call leaves the server's in-flight count, and the connection keeps
 * working.
 */
class CodecErrorsTest {

    private static final byte FAILING_ID = 101;
    private static final String ECHO = EchoApi.class.getName();

    @TempDir
    Path dir;

    private MicroRpc server;

    /** Reads nothing: throws what it was built with. Writes as {@link JavaTestSerializer}. */
    private static final class FailingSerializer implements Serializer {
        private final Supplier<Error> error;
        private final JavaTestSerializer writer = new JavaTestSerializer();

        FailingSerializer(Supplier<Error> error) {
            this.error = error;
        }

        @Override
        public byte id() {
            return FAILING_ID;
        }

        @Override
        public String name() {
            return "failing";
        }

        @Override
        public void write(OutputStream out, Object value, Class<?> declaredType) throws IOException {
            writer.write(out, value, declaredType);
        }

        @Override
        public Object read(InputStream in, Class<?> declaredType, AllowedTypes allowed) {
            throw error.get();
        }
    }

    static Stream<Arguments> errors() {
        return Stream.of(
                Arguments.of("OutOfMemoryError", (Supplier<Error>)
                        () -> new OutOfMemoryError("Requested array size exceeds VM limit")),
                Arguments.of("AssertionError", (Supplier<Error>) AssertionError::new),
                Arguments.of("StackOverflowError", (Supplier<Error>) StackOverflowError::new));
    }

    private void start(Supplier<Error> error) {
        KernelSettings settings = KernelSettings.builder()
                .serverPort(0)
                .callSerializer("java-test")
                .pluginsDir(dir.resolve("none"))
                .dataDir(dir.resolve("data"))
                .build();
        server = MicroRpc.builder()
                .settings(settings)
                .extension(new JavaTestSerializer())
                .extension(new FailingSerializer(error))
                .start();
        server.export(EchoApi.class, new EchoImpl());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void anErrorReadingTheArgumentsIsInvalidArgumentAndTheCallEnds(String name, Supplier<Error> error)
            throws IOException {
        start(error);
        try (RawClient raw = RawClient.connect(server.port())) {
            raw.send(RawClient.request(1, (byte) 0, FAILING_ID, ECHO, "echo", RawClient.payload("x")));
            RawFrame r = raw.read();

            assertThat(r.requestId()).isEqualTo(1);
            assertThat(r.status()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(r.errorMessage())
                    .contains(ECHO + "/echo")
                    .contains("failing")
                    .contains(name);

            raw.send(RawClient.request(2, ECHO, "echo", "still served"));
            RawFrame ok = raw.read();
            assertThat(ok.status()).isEqualTo(Status.Code.OK);
            assertThat(ok.value(String.class)).isEqualTo("still served");
        }
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(server.metricsText()).contains("microrpc_server_in_flight 0\n"));
    }
}
