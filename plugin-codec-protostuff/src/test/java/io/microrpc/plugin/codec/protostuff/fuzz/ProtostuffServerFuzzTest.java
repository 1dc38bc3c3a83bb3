package io.microrpc.plugin.codec.protostuff.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.demo.api.User;
import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.ReferenceOptions;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.internal.protocol.Frames;
import io.microrpc.kernel.internal.protocol.Protocol;
import io.microrpc.kernel.testing.NettyLeakCheck;
import io.microrpc.kernel.testing.RawClient;
import io.microrpc.kernel.testing.RawFrame;
import io.microrpc.kernel.testing.fuzz.Fuzz;
import io.microrpc.kernel.testing.fuzz.Mutator;
import io.microrpc.kernel.testing.fuzz.StderrLines;
import io.microrpc.kernel.testing.fuzz.ValidFrames;
import io.microrpc.plugin.codec.protostuff.ProtostuffSerializer;
import io.microrpc.spi.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation fuzzing of a real server's request path: a kernel with the protostuff codec exports
 * {@link FuzzedApi} (an implementation that sends back what it gets), and a raw socket on loopback sends
 * it batches of pipelined requests whose metadata and arguments are mutated ({@link FuzzedPayloads}),
 * frames kept well-formed; one batch in sixteen is mutated as a whole stream (headers and lengths too) on
 * a connection of its own. Per request:
 * <ul>
 *   <li>a well-framed request gets exactly one answer, on a connection that stays open: {@code OK}, or a
 *       clean refusal ({@code INVALID_ARGUMENT}, {@code NOT_FOUND}, {@code DEADLINE_EXCEEDED}), never
 *       {@code INTERNAL} or an application error (what was accepted can always be sent back);
 *   <li>a mangled stream is answered frame by frame or the connection is closed, never left hanging;
 *   <li>no exception reaches the connection's pipeline (the server would log "after an error");
 *   <li>no class outside the allow-list is initialized, no buffer leaks (Netty's paranoid detector, checked
 *       after the test), and a real client's call is answered afterwards.
 * </ul>
 * Each of {@link Fuzz}'s inputs is one batch. Seed and count: see {@link Fuzz}.
 */
@ExtendWith(NettyLeakCheck.class)
class ProtostuffServerFuzzTest {

    private static final int BATCH = 16;
    private static final String SERVICE = FuzzedApi.class.getName();
    private static final Set<Status.Code> CLEAN = EnumSet.of(
            Status.Code.OK, Status.Code.INVALID_ARGUMENT, Status.Code.NOT_FOUND, Status.Code.DEADLINE_EXCEEDED);
    /** A mangled stream may also change a request's serializer id. */
    private static final Set<Status.Code> CLEAN_MANGLED = EnumSet.of(
            Status.Code.OK,
            Status.Code.INVALID_ARGUMENT,
            Status.Code.NOT_FOUND,
            Status.Code.DEADLINE_EXCEEDED,
            Status.Code.UNIMPLEMENTED);

    private static final Mutator STREAM_MUTATOR = Mutator.of(64 * 1024, List.of("MR"));
    private static final Mutator METADATA_MUTATOR = Mutator.of(4096, List.of(SERVICE, "users", "anything"));

    @TempDir
    Path dir;

    private final FuzzedPayloads payloads = new FuzzedPayloads();
    private MicroRpc server;
    private MicroRpc client;
    private RawClient connection;

    @BeforeEach
    void start() {
        KernelSettings settings = KernelSettings.builder()
                .serverPort(0)
                .callSerializer("protostuff")
                .pluginsDir(dir.resolve("none"))
                .dataDir(dir.resolve("server-data"))
                .build();
        server = MicroRpc.builder()
                .settings(settings)
                .extension(new ProtostuffSerializer())
                .start();
        server.export(FuzzedApi.class, new EchoingApi());
        client = MicroRpc.builder()
                .settings(
                        settings.toBuilder().dataDir(dir.resolve("client-data")).build())
                .extension(new ProtostuffSerializer())
                .start();
    }

    @AfterEach
    void stop() throws IOException {
        if (connection != null) {
            connection.close();
        }
        client.close();
        server.close();
    }

    @Test
    @Timeout(600)
    void mutatedRequestsAreAnsweredCleanlyOrTheConnectionClosed() throws IOException {
        Map<String, Long> outcomes;
        long errorsLogged;
        try (StderrLines log = StderrLines.capture("after an error")) {
            outcomes = Fuzz.of("protostuff-server", "plugin-codec-protostuff", "ProtostuffServerFuzzTest", 2_500)
                    .run(this::oneBatch);
            errorsLogged = log.watchedLines();
        }
        long requests = outcomes.entrySet().stream()
                .filter(e -> e.getKey().startsWith("request"))
                .mapToLong(Map.Entry::getValue)
                .sum();
        System.out.printf("fuzz protostuff-server: %,d requests in all%n", requests);

        assertThat(errorsLogged)
                .as("connections closed after an exception in the server's pipeline")
                .isZero();
        if (requests >= 10_000) {
            assertThat(outcomes)
                    .containsKeys(
                            "request: OK",
                            "request: INVALID_ARGUMENT",
                            "request: NOT_FOUND",
                            "request: DEADLINE_EXCEEDED",
                            "mangled: closed");
        }
        assertThat(Canary.touched()).as("a canary class was touched").isFalse();
        User user = FuzzedValues.user(new Random(1));
        FuzzedApi api = client.reference(
                FuzzedApi.class,
                ReferenceOptions.builder()
                        .address("127.0.0.1:" + server.port())
                        .timeout(Duration.ofSeconds(10))
                        .build());
        assertThat(api.user(user)).as("a valid call after the fuzzing").isEqualTo(user);
    }

    private void oneBatch(Random r, Fuzz.Input input) throws IOException {
        boolean mangled = r.nextInt(16) == 0;
        int count = 1 + r.nextInt(BATCH);
        List<Mutator.Field> lengths = new ArrayList<>();
        Map<Long, String> sent = new HashMap<>();
        ByteBuf stream = Unpooled.buffer();
        for (int k = 0; k < count; k++) {
            long id = input.iteration() * BATCH + k;
            FuzzedPayloads.Seed seed = payloads.seed(r);
            lengths.add(new Mutator.Field(stream.writerIndex() + Protocol.BODY_LENGTH_OFFSET, Mutator.Encoding.I32));
            stream.writeBytes(request(r, id, seed));
            sent.put(id, seed.method().getName());
        }
        byte[] bytes = ByteBufUtil.getBytes(stream);
        if (mangled) {
            bytes = STREAM_MUTATOR.mutate(r, new Mutator.Seed(bytes, lengths), null);
        }
        input.bytes(bytes);
        input.note("mangled stream", mangled);
        input.note("requests", sent);
        if (mangled) {
            mangled(bytes, input);
        } else {
            wellFramed(bytes, sent, input);
        }
    }

    /** One request: metadata as the kernel writes it (mutated one time in eight), then mutated arguments. */
    private byte[] request(Random r, long id, FuzzedPayloads.Seed seed) {
        ByteBuf metadata = Unpooled.buffer();
        List<Mutator.Field> fields = new ArrayList<>();
        ValidFrames.request(
                metadata,
                fields,
                0,
                SERVICE,
                seed.method().getName(),
                r.nextInt(16) == 0
                        ? ValidFrames.timeout(r)
                        : Duration.ofSeconds(30).toNanos(),
                r.nextInt(8) == 0 ? Map.of("trace-id", "t" + id) : Map.of());
        byte[] meta = ByteBufUtil.getBytes(metadata);
        if (r.nextInt(8) == 0) {
            meta = METADATA_MUTATOR.mutate(r, new Mutator.Seed(meta, fields), null);
        }
        byte[] payload = payloads.mutate(r, seed, payloads.seed(r));
        ByteBuf frame = Unpooled.buffer(Protocol.HEADER_LENGTH + meta.length + payload.length);
        Frames.writeHeader(frame, (byte) 0, (byte) 1, (byte) 0, id, meta.length + payload.length);
        frame.writeBytes(meta).writeBytes(payload);
        return ByteBufUtil.getBytes(frame);
    }

    /** Every request answered once, cleanly, on a connection that stays open. */
    private void wellFramed(byte[] bytes, Map<Long, String> sent, Fuzz.Input input) throws IOException {
        if (connection == null) {
            connection = RawClient.connect(server.port());
        }
        connection.send(bytes);
        Map<Long, String> waiting = new HashMap<>(sent);
        while (!waiting.isEmpty()) {
            RawFrame response;
            try {
                response = connection.read();
            } catch (EOFException | SocketException e) {
                connection = null;
                throw new AssertionError(
                        "the server closed a connection that sent only well-framed requests; " + "unanswered: "
                                + waiting,
                        e);
            }
            String method = waiting.remove(response.requestId());
            if (method == null || !response.isResponse()) {
                throw new AssertionError("unexpected frame " + response + " (waiting for " + waiting + ")");
            }
            check(response, method, CLEAN);
            input.outcome("request: " + response.status());
        }
    }

    /** Answers (or pongs) until the server closes the connection; every answer clean. */
    private void mangled(byte[] bytes, Fuzz.Input input) throws IOException {
        try (RawClient raw = RawClient.connect(server.port())) {
            try {
                raw.send(bytes);
                raw.shutdownOutput();
            } catch (SocketException e) {
                input.outcome("mangled: closed while sending");
                return; // the server refused the stream early and reset the connection
            }
            while (true) {
                RawFrame frame;
                try {
                    frame = raw.read();
                } catch (EOFException | SocketException e) {
                    input.outcome("mangled: closed");
                    return;
                }
                if (frame.isResponse() && !frame.isHeartbeat()) {
                    check(frame, "(mangled)", CLEAN_MANGLED);
                    input.outcome("request (mangled stream): " + frame.status());
                }
            }
        }
    }

    private static void check(RawFrame response, String method, Set<Status.Code> allowed) {
        if (!allowed.contains(response.status())) {
            throw new AssertionError("request " + response.requestId() + " to " + method + " answered "
                    + response.status() + ": " + response.errorMessage());
        }
    }
}
