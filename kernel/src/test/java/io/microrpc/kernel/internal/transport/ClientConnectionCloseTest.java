package io.microrpc.kernel.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.microrpc.kernel.internal.protocol.Frame;
import io.microrpc.kernel.testing.RawClient;
import io.microrpc.spi.Status;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link ClientConnection#close()} racing what the event loop does to the same connection. The
 * interleavings are forced with latches: a response listener runs on the event loop, so one that
 * waits holds the loop at a known point while the test closes the connection from another thread.
 */
class ClientConnectionCloseTest extends ScriptedConnectionTest {

    /**
     * The server says GOAWAY while the client closes. The GOAWAY arrives in the same read as a
     * response whose listener holds the event loop; close() is called meanwhile; then the loop goes on
     * to the GOAWAY. A closed connection must stay closed: before the event loop owned the state, the
     * GOAWAY overwrote CLOSED with DRAINING, the channel's close then set CONNECTING and scheduled a
     * reconnect, and the closed connection came back to life and kept reconnecting.
     */
    @Test
    void connectionClosedWhileTheServerSaysGoAwayStaysClosed() throws Exception {
        CountDownLatch loopHeld = new CountDownLatch(1);
        CountDownLatch releaseLoop = new CountDownLatch(1);
        CompletableFuture<Status> answered = new CompletableFuture<>();
        boolean sent = connection.send(1, RawClient.request(1, "svc", "m", "arg"), new ResponseListener() {
            @Override
            public void onResponse(Frame response) {
                response.release();
                loopHeld.countDown();
                try {
                    releaseLoop.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                answered.complete(Status.of(Status.Code.OK));
            }

            @Override
            public void onConnectionFailure(Status status) {
                answered.complete(status);
            }
        });
        assertThat(sent).isTrue();
        Socket s = server.nextConnection();
        server.readRequest(s);

        // One write, so the client reads the response and the GOAWAY behind it in one go.
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        both.write(ScriptedServer.responseFrame(1, 0));
        both.write(ScriptedServer.goAwayFrame());
        server.write(s, both.toByteArray());
        assertThat(loopHeld.await(5, TimeUnit.SECONDS))
                .as("the response reached its listener")
                .isTrue();

        Thread closer = new Thread(connection::close, "closer");
        closer.start();
        // Either close() has returned, or it has marked the connection closed and waits for the loop.
        await().atMost(Duration.ofSeconds(5))
                .until(() -> !closer.isAlive() || connection.state() == ClientConnection.State.CLOSED);
        releaseLoop.countDown();
        closer.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(closer.isAlive()).as("close() returned").isFalse();
        assertThat(answered.get(5, TimeUnit.SECONDS).code()).isEqualTo(Status.Code.OK);

        // Whatever close() and the GOAWAY left on the event loop has run once this task has.
        CompletableFuture<Void> loopPassed = new CompletableFuture<>();
        client.schedule(() -> loopPassed.complete(null), 0);
        loopPassed.get(5, TimeUnit.SECONDS);

        assertThat(connection.state()).as("state after close()").isEqualTo(ClientConnection.State.CLOSED);
    }

    /**
     * close() hands the work to the event loop and returns: while the loop is busy (here, held in a
     * response listener) the caller does not wait; once the loop gets to it, the calls still pending
     * fail with UNAVAILABLE and the returned future completes.
     */
    @Test
    void closeDoesNotWaitForABusyEventLoopAndFailsPendingCallsOnceItRuns() throws Exception {
        HeldListener held = new HeldListener();
        assertThat(connection.send(1, RawClient.request(1, "svc", "m", "arg"), held))
                .isTrue();
        CompletableFuture<Status> waiting = call(2);
        Socket s = server.nextConnection();
        server.readRequest(s);
        server.readRequest(s);
        server.write(s, ScriptedServer.responseFrame(1, 0));
        held.awaitHeld();

        CompletableFuture<Void> closing = connection.close();

        assertThat(closing).as("close() while the loop is held").isNotDone();
        assertThat(waiting).isNotDone();
        held.release();
        closing.get(5, TimeUnit.SECONDS);
        assertThat(connection.state()).isEqualTo(ClientConnection.State.CLOSED);
        Status failed = waiting.get(5, TimeUnit.SECONDS);
        assertThat(failed.code()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(failed.description()).isEqualTo("client closed");
        assertThat(connection.close()).as("a second close()").isSameAs(closing);
        assertThat(connection.send(3, RawClient.request(3, "svc", "m", "arg"), new HeldListener()))
                .as("send after close")
                .isFalse();
    }

    /**
     * The other way round from the GOAWAY race: the channel closes (the server went), and close() is
     * called while the loop is still failing the calls of that channel, with a reconnect about to be
     * scheduled. The close cancels it: the connection stays closed.
     */
    @Test
    void closeWhileTheLoopHandlesALostChannelCancelsTheReconnect() throws Exception {
        HeldListener held = new HeldListener();
        assertThat(connection.send(1, RawClient.request(1, "svc", "m", "arg"), held))
                .isTrue();
        Socket s = server.nextConnection();
        server.readRequest(s);
        s.close();
        held.awaitHeld();

        CompletableFuture<Void> closing = connection.close();
        held.release();
        closing.get(5, TimeUnit.SECONDS);
        awaitLoop();

        assertThat(held.outcome.get(5, TimeUnit.SECONDS).description()).contains("closed before the response arrived");
        assertThat(connection.state()).isEqualTo(ClientConnection.State.CLOSED);
    }

    /** close() while a GOAWAY drains the connection: the call it waited for fails, nothing reconnects. */
    @Test
    void closeWhileDrainingAfterGoAwayFailsTheRemainingCalls() throws Exception {
        CompletableFuture<Status> waiting = call(1);
        Socket s = server.nextConnection();
        server.readRequest(s);
        server.write(s, ScriptedServer.goAwayFrame());
        await().atMost(Duration.ofSeconds(5)).until(() -> connection.state() == ClientConnection.State.DRAINING);

        connection.close().get(5, TimeUnit.SECONDS);
        awaitLoop();

        assertThat(waiting.get(5, TimeUnit.SECONDS).code()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(connection.state()).isEqualTo(ClientConnection.State.CLOSED);
    }

    /** Returns once everything queued on the connection's event loop before this call has run. */
    private void awaitLoop() throws Exception {
        CompletableFuture<Void> loopPassed = new CompletableFuture<>();
        client.schedule(() -> loopPassed.complete(null), 0);
        loopPassed.get(5, TimeUnit.SECONDS);
    }

    /** Sends request {@code id}; the future completes with the status the connection reports for it. */
    private CompletableFuture<Status> call(long id) throws IOException {
        CompletableFuture<Status> outcome = new CompletableFuture<>();
        boolean sent = connection.send(id, RawClient.request(id, "svc", "m", "arg"), new ResponseListener() {
            @Override
            public void onResponse(Frame response) {
                response.release();
                outcome.complete(Status.of(Status.Code.OK));
            }

            @Override
            public void onConnectionFailure(Status status) {
                outcome.complete(status);
            }
        });
        assertThat(sent).isTrue();
        return outcome;
    }

    /** A listener that holds the event loop that calls it (with a response or a failure) until released. */
    private static final class HeldListener implements ResponseListener {

        final CompletableFuture<Status> outcome = new CompletableFuture<>();
        private final CountDownLatch held = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        @Override
        public void onResponse(Frame response) {
            response.release();
            hold();
            outcome.complete(Status.of(Status.Code.OK));
        }

        @Override
        public void onConnectionFailure(Status status) {
            hold();
            outcome.complete(status);
        }

        private void hold() {
            held.countDown();
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void awaitHeld() throws InterruptedException {
            assertThat(held.await(5, TimeUnit.SECONDS))
                    .as("the event loop reached the listener")
                    .isTrue();
        }

        void release() {
            released.countDown();
        }
    }
}
