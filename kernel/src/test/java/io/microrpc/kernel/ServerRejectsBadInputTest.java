package io.microrpc.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.internal.protocol.Frames;
import io.microrpc.kernel.internal.protocol.Protocol;
import io.microrpc.kernel.internal.protocol.RequestHeader;
import io.microrpc.kernel.testing.EchoApi;
import io.microrpc.kernel.testing.EchoImpl;
import io.microrpc.kernel.testing.JavaTestSerializer;
import io.microrpc.kernel.testing.NettyLeakCheck;
import io.microrpc.kernel.testing.RawClient;
import io.microrpc.kernel.testing.RawFrame;
import io.microrpc.spi.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A real server fed hand-built frames over a raw socket. Input that is not the protocol closes that
 * one connection; a well-framed request the server cannot serve gets a typed error on the same
 * connection, which stays usable. After every case the server still answers good calls, on the
 * reference of a real client and on a fresh raw connection.
 */
@ExtendWith(NettyLeakCheck.class)
class ServerRejectsBadInputTest {

    private static final String ECHO = EchoApi.class.getName();

    @TempDir
    Path dir;

    private MicroRpc server;
    private MicroRpc client;
    private EchoImpl impl;
    private EchoApi echo;

    @BeforeEach
    void setUp() {
        KernelSettings settings = KernelSettings.builder()
                .serverPort(0)
                .callSerializer("java-test")
                .pluginsDir(dir.resolve("none"))
                .dataDir(dir.resolve("data"))
                .build();
        server = MicroRpc.builder()
                .settings(settings)
                .extension(new JavaTestSerializer())
                .start();
        impl = new EchoImpl();
        server.export(EchoApi.class, impl);
        client = MicroRpc.builder()
                .settings(
                        settings.toBuilder().dataDir(dir.resolve("client-data")).build())
                .extension(new JavaTestSerializer())
                .start();
        echo = client.reference(
                EchoApi.class,
                ReferenceOptions.builder()
                        .address("127.0.0.1:" + server.port())
                        .timeout(Duration.ofSeconds(5))
                        .build());
    }

    @AfterEach
    void tearDown() {
        client.close();
        server.close();
    }

    private RawClient connect() throws IOException {
        return RawClient.connect(server.port());
    }

    /** A good request on {@code raw} is answered correctly: the connection (and the server) still work. */
    private static void assertAnswers(RawClient raw, long id) throws IOException {
        raw.send(RawClient.request(id, ECHO, "echo", "good-" + id));
        RawFrame r = raw.read();
        assertThat(r.requestId()).isEqualTo(id);
        assertThat(r.status()).as("status of %s", r).isEqualTo(Status.Code.OK);
        assertThat(r.value(String.class)).isEqualTo("good-" + id);
    }

    private void assertServerStillServes() throws IOException {
        assertThat(echo.echo("still serving")).isEqualTo("still serving");
        try (RawClient fresh = connect()) {
            assertAnswers(fresh, 1000);
        }
    }

    private static RawFrame errorFor(RawClient raw, ByteBuf request, long id) throws IOException {
        raw.send(request);
        RawFrame r = raw.read();
        assertThat(r.isResponse()).isTrue();
        assertThat(r.requestId()).isEqualTo(id);
        return r;
    }

    // --- input that is not the protocol: that connection is closed ---

    @Test
    void cancelFramesForCallsTheServerDoesNotKnowAreIgnored() throws IOException {
        try (RawClient raw = connect()) {
            // Ids never sent, one already answered, and a CANCEL carrying a body it should not have.
            assertAnswers(raw, 1);
            for (long id = 1; id <= 1000; id++) {
                raw.send(Frames.cancel(ByteBufAllocator.DEFAULT, id * 7919));
            }
            raw.send(Frames.cancel(ByteBufAllocator.DEFAULT, 1));
            ByteBuf withBody = RawClient.frameWithBody(2, (byte) 0, new byte[64]);
            withBody.setByte(3, Protocol.FLAG_CANCEL);
            raw.send(withBody);

            assertAnswers(raw, 3);
        }
        assertServerStillServes();
    }

    @Test
    void badMagicClosesThatConnectionOnlyAndTheServerKeepsServing() throws IOException {
        try (RawClient bystander = connect();
                RawClient raw = connect()) {
            assertAnswers(bystander, 1);
            ByteBuf request = RawClient.request(1, ECHO, "echo", "x");
            request.setShort(0, 0x4745); // "GE", as in "GET / HTTP/1.1"
            raw.send(request);

            raw.awaitClosedByServer();

            assertAnswers(bystander, 2);
        }
        assertServerStillServes();
    }

    @Test
    void unknownVersionClosesThatConnectionAndTheServerKeepsServing() throws IOException {
        try (RawClient raw = connect()) {
            ByteBuf request = RawClient.request(1, ECHO, "echo", "x");
            request.setByte(2, 2);
            raw.send(request);

            raw.awaitClosedByServer();
        }
        assertServerStillServes();
    }

    @Test
    void oversizeDeclaredLengthClosesThatConnectionBeforeTheBodyIsSent() throws IOException {
        try (RawClient raw = connect()) {
            ByteBuf header = ByteBufAllocator.DEFAULT.buffer(Protocol.HEADER_LENGTH);
            Frames.writeHeader(header, (byte) 0, RawClient.JAVA_TEST, (byte) 0, 1, 100 * 1024 * 1024);
            raw.send(header); // the 18-byte header only: the server must not wait for 100 MiB

            raw.awaitClosedByServer();
        }
        assertServerStillServes();
    }

    @Test
    void truncatedFrameThenCloseLeavesTheServerServing() throws IOException {
        try (RawClient raw = connect()) {
            ByteBuf request = RawClient.request(1, ECHO, "echo", "never finished");
            byte[] bytes = ByteBufUtil.getBytes(request);
            request.release();
            raw.send(Arrays.copyOf(bytes, bytes.length - 7));
        }
        assertServerStillServes();
    }

    @Test
    void frameTrickledInSmallPiecesIsAnswered() throws IOException {
        try (RawClient raw = connect()) {
            ByteBuf request = RawClient.request(5, ECHO, "echo", "trickled");
            byte[] bytes = ByteBufUtil.getBytes(request);
            request.release();
            for (int i = 0; i < bytes.length; i += 4) {
                raw.send(Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + 4)));
            }
            RawFrame r = raw.read();
            assertThat(r.requestId()).isEqualTo(5);
            assertThat(r.value(String.class)).isEqualTo("trickled");
        }
    }

    // --- well-framed requests the server cannot serve: a typed error, the connection stays ---

    @Test
    void unknownServiceIsNotFoundNamingTheService() throws IOException {
        try (RawClient raw = connect()) {
            RawFrame r = errorFor(raw, RawClient.request(11, "com.example.NoSuchService", "echo", "x"), 11);

            assertThat(r.status()).isEqualTo(Status.Code.NOT_FOUND);
            assertThat(r.errorMessage()).contains("com.example.NoSuchService").contains(ECHO);
            assertAnswers(raw, 12);
        }
        assertServerStillServes();
    }

    @Test
    void unknownMethodIsNotFoundNamingTheMethod() throws IOException {
        try (RawClient raw = connect()) {
            RawFrame r = errorFor(raw, RawClient.request(21, ECHO, "noSuchMethod", "x"), 21);

            assertThat(r.status()).isEqualTo(Status.Code.NOT_FOUND);
            assertThat(r.errorMessage())
                    .contains("'noSuchMethod'")
                    .contains(ECHO)
                    .contains("echo");
            assertAnswers(raw, 22);
        }
        assertServerStillServes();
    }

    @Test
    void unknownSerializerIdIsUnimplementedNamingTheIdAndTheLoadedSerializers() throws IOException {
        try (RawClient raw = connect()) {
            ByteBuf request = RawClient.request(31, (byte) 0, (byte) 77, ECHO, "echo", RawClient.payload("x"));
            RawFrame r = errorFor(raw, request, 31);

            assertThat(r.status()).isEqualTo(Status.Code.UNIMPLEMENTED);
            assertThat(r.errorMessage()).contains("77").contains("java-test(100)");
            assertAnswers(raw, 32);
        }
        assertServerStillServes();
    }

    @Test
    void payloadThatFailsToDeserializeIsInvalidArgumentAndTheSameConnectionKeepsWorking() throws IOException {
        try (RawClient raw = connect()) {
            byte[] garbage = {0, 0, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8}; // a length prefix, then no Java serialization stream
            ByteBuf request = RawClient.request(41, (byte) 0, RawClient.JAVA_TEST, ECHO, "echo", garbage);
            RawFrame r = errorFor(raw, request, 41);

            assertThat(r.status()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(r.errorMessage()).contains(ECHO + "/echo").contains("java-test");
            assertAnswers(raw, 42);
        }
        assertServerStillServes();
    }

    @Test
    void payloadNamingAClassOutsideTheAllowedTypesIsInvalidArgument() throws IOException {
        try (RawClient raw = connect()) {
            // A serializable JDK class no EchoApi method declares: a deserialization gadget stand-in.
            byte[] payload = RawClient.payload(new AtomicLong(42));
            RawFrame r = errorFor(raw, RawClient.request(45, (byte) 0, RawClient.JAVA_TEST, ECHO, "echo", payload), 45);

            assertThat(r.status()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            // Refused by the serializer while resolving the class (the kernel handed it EchoApi's
            // allowed types), not later as a value of the wrong type.
            assertThat(r.errorMessage())
                    .contains("java.util.concurrent.atomic.AtomicLong")
                    .contains("not an allowed type");
            assertAnswers(raw, 46);
        }
    }

    static Stream<Arguments> malformedMetadata() {
        return Stream.of(
                Arguments.of("empty body", new byte[0]),
                Arguments.of("service length beyond the body", new byte[] {(byte) 0xFF, (byte) 0xFF, 'a', 'b'}),
                Arguments.of("no method", metadataPrefix(false, false)),
                Arguments.of("no timeout", metadataPrefix(true, false)),
                Arguments.of("no attachment count", metadataPrefix(true, true)));
    }

    /** Service (and optionally method and timeout) written correctly, the rest missing. */
    private static byte[] metadataPrefix(boolean withMethod, boolean withTimeout) {
        ByteBuf b = ByteBufAllocator.DEFAULT.heapBuffer();
        try {
            Frames.writeString(b, ECHO);
            if (withMethod) {
                Frames.writeString(b, "echo");
            }
            if (withTimeout) {
                b.writeLong(Duration.ofSeconds(5).toNanos());
            }
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedMetadata")
    void malformedMetadataIsInvalidArgument(String what, byte[] body) throws IOException {
        try (RawClient raw = connect()) {
            RawFrame r = errorFor(raw, RawClient.frameWithBody(51, RawClient.JAVA_TEST, body), 51);

            assertThat(r.status()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(r.errorMessage()).contains("malformed request metadata");
            assertAnswers(raw, 52);
        }
        assertServerStillServes();
    }

    @Test
    void requestWhoseDeadlineAlreadyPassedIsNotRun() throws IOException {
        try (RawClient raw = connect()) {
            ByteBuf request = Frames.start(ByteBufAllocator.DEFAULT, 64, (byte) 0, RawClient.JAVA_TEST, (byte) 0, 61);
            RequestHeader.write(request, ECHO, "slow", -1, Map.of());
            request.writeBytes(RawClient.payload(1L));
            Frames.finish(request, 0, Integer.MAX_VALUE);
            RawFrame r = errorFor(raw, request, 61);

            assertThat(r.status()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
            assertThat(impl.slowStarted).hasValue(0);
            assertAnswers(raw, 62);
        }
    }

    @Test
    void pingIsAnsweredWithAPongOfTheSameId() throws IOException {
        try (RawClient raw = connect()) {
            raw.send(RawClient.ping(0x7777));
            RawFrame pong = raw.read();
            assertThat(pong.isHeartbeat()).isTrue();
            assertThat(pong.isResponse()).isTrue();
            assertThat(pong.requestId()).isEqualTo(0x7777);
            assertThat(pong.body()).isEmpty();
        }
    }

    @Test
    void responseAndGoAwayFramesFromAClientAreIgnored() throws IOException {
        try (RawClient raw = connect()) {
            ByteBuf response = RawClient.request(
                    71, Protocol.FLAG_RESPONSE, RawClient.JAVA_TEST, ECHO, "echo", RawClient.payload("x"));
            raw.send(response);
            raw.send(Frames.goAway(ByteBufAllocator.DEFAULT));
            raw.send(RawClient.ping(72));

            // Everything above is handled in order on the connection's IO thread: had the server
            // answered the first two, those answers would come before the pong.
            RawFrame next = raw.read();
            assertThat(next.isHeartbeat()).as("first frame back: %s", next).isTrue();
            assertThat(next.requestId()).isEqualTo(72);
            assertAnswers(raw, 73);
        }
    }

    @Test
    void serverClosesAConnectionWhoseClientEndedItsStream() throws IOException {
        try (RawClient raw = connect()) {
            assertAnswers(raw, 81);
            raw.shutdownOutput();
            assertThatThrownBy(raw::read).isInstanceOf(EOFException.class);
        }
    }
}
