package io.microrpc.plugin.registry.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.net.ConnectException;
import org.apache.zookeeper.ClientCnxn;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The logger factory the shaded JAR uses: ZooKeeper's client logs an expected loss of connection in one
 * line, and everything else as before.
 */
class PluginLoggerFactoryTest {

    private static final Logger CLIENT = PluginLoggerFactory.getLogger(ClientCnxn.class);
    private static final String WARNING = "Session 0x{} for server {}, Closing socket connection. Attempting reconnect "
            + "except it is a SessionExpiredException or SessionTimeoutException.";

    private static Exception endOfStream() throws Exception {
        Constructor<?> c = Class.forName("org.apache.zookeeper.ClientCnxn$EndOfStreamException")
                .getDeclaredConstructor(String.class);
        c.setAccessible(true);
        return (Exception) c.newInstance(
                "Unable to read additional data from server sessionid 0x1, likely server has closed socket");
    }

    @Test
    void theClientsWarningsAboutALostOrRefusedConnectionBecomeOneInfoLineWithoutTheStackTrace() throws Exception {
        Exception closed = endOfStream();
        String log = ZkTesting.logOf(() -> {
            CLIENT.warn(WARNING, "1", "localhost/127.0.0.1:2181", closed);
            CLIENT.warn("Connecting failed", new ConnectException("Connection refused"));
        });
        assertThat(log.lines()).hasSize(2);
        assertThat(log)
                .contains("INFO org.apache.zookeeper.ClientCnxn - Session 0x1 for server localhost/127.0.0.1:2181, "
                        + "Closing socket connection. Attempting reconnect except it is a SessionExpiredException or "
                        + "SessionTimeoutException.: EndOfStreamException: Unable to read additional data from server")
                .contains(
                        "INFO org.apache.zookeeper.ClientCnxn - Connecting failed: java.net.ConnectException: Connection refused")
                .doesNotContain("WARN")
                .doesNotContain("\tat ");
    }

    @Test
    void otherWarningsOfTheClientAndOtherLoggersAreUntouched() throws Exception {
        String log = ZkTesting.logOf(() -> {
            CLIENT.warn(
                    WARNING, "1", "localhost/127.0.0.1:2181", new IOException("Packet len 5000000 is out of range!"));
            CLIENT.warn("Unexpected exception", new IllegalStateException("bug"));
        });
        assertThat(log)
                .contains("WARN org.apache.zookeeper.ClientCnxn - Session 0x1 for server localhost/127.0.0.1:2181")
                .contains("java.io.IOException: Packet len 5000000 is out of range!")
                .contains("WARN org.apache.zookeeper.ClientCnxn - Unexpected exception")
                .contains("java.lang.IllegalStateException: bug")
                .contains("\tat ");
        assertThat(PluginLoggerFactory.getLogger("org.apache.curator.ConnectionState"))
                .isSameAs(LoggerFactory.getLogger("org.apache.curator.ConnectionState"));
        assertThat(CLIENT.getName()).isEqualTo("org.apache.zookeeper.ClientCnxn");
        assertThat(CLIENT.isWarnEnabled()).isTrue();
    }
}
