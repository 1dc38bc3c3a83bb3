package io.microrpc.kernel.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.microrpc.kernel.internal.protocol.Frame;
import io.microrpc.kernel.internal.protocol.Frames;
import io.microrpc.kernel.internal.protocol.Protocol;
import io.microrpc.kernel.testing.RawClient;
import io.microrpc.spi.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The client side of a connection facing a server that misbehaves: garbage or oversized frames close
 * the connection and fail the calls waiting on it at once (UNAVAILABLE, not after their timeout), and
 * the connection heals by reconnecting. The server is a {@link ScriptedServer}.
 */
class ClientConnectionFailuresTest extends ScriptedConnectionTest {

    /** Sends a request; the future completes with the status the connection reports for it. */
    private CompletableFuture<Status> call(long id) throws IOException {
        CompletableFuture<Status> outcome = new CompletableFuture<>();
        boolean sent = connection.send(id, RawClient.request(id, "svc", "m", "arg"), new ResponseListener() {
            @Override
            public void onResponse(Frame response) {
                Status.Code code = Status.Code.fromValue(response.status());
                response.release();
                outcome.complete(Status.of(code));
            }

            @Override
            public void onConnectionFailure(Status status) {
                outcome.complete(status);
            }
        });
        assertThat(sent).isTrue();
        return outcome;
    }

    @Test
    void responseWithBadMagicClosesTheConnectionAndFailsPendingCallsAtOnce() throws Exception {
        CompletableFuture<Status> pending = call(1);
        Socket s = server.nextConnection();
        server.readRequest(s);

        byte[] garbage = ScriptedServer.responseFrame(1, 4);
        garbage[0] = 'H';
        server.write(s, garbage);

        Status status = pending.get(5, TimeUnit.SECONDS);
        assertThat(status.code()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(status.description()).contains("127.0.0.1:" + server.port());
        await().atMost(Duration.ofSeconds(5)).until(() -> server.accepts.get() == 2 && connection.isReady());
    }

    @Test
    void oversizedResponseHeaderClosesTheConnectionWithoutWaitingForTheBody() throws Exception {
        CompletableFuture<Status> pending = call(1);
        Socket s = server.nextConnection();
        server.readRequest(s);

        ByteBuf header = Unpooled.buffer(Protocol.HEADER_LENGTH);
        Frames.writeHeader(header, Protocol.FLAG_RESPONSE, (byte) 100, (byte) 0, 1, settings.protocolMaxFrameSize());
        byte[] headerOnly = ByteBufUtil.getBytes(header);
        header.release();
        server.write(s, headerOnly); // and never the 8 MiB it announces

        assertThat(pending.get(5, TimeUnit.SECONDS).code()).isEqualTo(Status.Code.UNAVAILABLE);
    }

    @Test
    void lateResponseToAForgottenCallIsDroppedAndTheConnectionStays() throws Exception {
        CompletableFuture<Status> forgotten = call(1);
        Socket s = server.nextConnection();
        server.readRequest(s);
        assertThat(connection.cancel(1)).isTrue(); // as the timer does when the call times out
        CompletableFuture<Status> next = call(2);
        server.readRequest(s);

        server.write(s, ScriptedServer.responseFrame(1, 32)); // too late: nobody waits for it any more
        server.write(s, ScriptedServer.responseFrame(2, 0));

        assertThat(next.get(5, TimeUnit.SECONDS).code()).isEqualTo(Status.Code.OK);
        assertThat(forgotten).isNotDone();
        assertThat(connection.isReady()).isTrue();
        assertThat(connection.pendingCount()).isZero();
    }

    @Test
    void serverClosingTheConnectionFailsPendingCallsAtOnceAndTheClientReconnects() throws Exception {
        CompletableFuture<Status> pending = call(1);
        Socket s = server.nextConnection();
        server.readRequest(s);

        s.close();

        assertThat(pending.get(5, TimeUnit.SECONDS).code()).isEqualTo(Status.Code.UNAVAILABLE);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.accepts.get() == 2 && connection.isReady());
    }
}
