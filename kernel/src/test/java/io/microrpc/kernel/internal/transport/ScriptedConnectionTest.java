package io.microrpc.kernel.internal.transport;

import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.testing.NettyLeakCheck;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The fixture of the tests that drive a {@link ClientConnection} against a {@link ScriptedServer}: a
 * connection made before each test, fast reconnects, and one client IO thread, so a task scheduled
 * with {@link ClientTransport#schedule} runs on the connection's event loop behind everything queued
 * there before it.
 */
@ExtendWith(NettyLeakCheck.class)
abstract class ScriptedConnectionTest {

    final KernelSettings settings = KernelSettings.builder()
            .reconnectInitialBackoff(Duration.ofMillis(50))
            .reconnectMaxBackoff(Duration.ofMillis(200))
            .callConnectTimeout(Duration.ofSeconds(1))
            .clientIoThreads(1)
            .build();

    ScriptedServer server;
    ClientTransport client;
    ClientConnection connection;

    @BeforeEach
    void connect() throws Exception {
        server = new ScriptedServer();
        client = new ClientTransport(settings, null);
        connection = client.connection("127.0.0.1", server.port());
        connection.firstConnect().get(5, TimeUnit.SECONDS);
    }

    @AfterEach
    void closeBoth() throws IOException {
        client.close();
        server.close();
    }
}
