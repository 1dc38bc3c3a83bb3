package io.microrpc.plugin.registry.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.microrpc.spi.ServiceInstance;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The node format: what providers write, what consumers accept, and what they refuse. */
class NodeDataTest {

    private static final String SERVICE = "io.example.EchoService";

    private static ServiceInstance decode(String name, String data) {
        return NodeData.decode(SERVICE, name, data.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyFieldRoundTripsIncludingEscapedCharacters() {
        ServiceInstance i = ServiceInstance.builder(SERVICE, "10.0.0.7", 7420)
                .weight(0)
                .protocolVersion(2)
                .version("2.1")
                .group("g")
                .serializers(List.of("protostuff"))
                .startTimestampMillis(123L)
                .metadata("zone", "eu-1")
                .metadata("odd=key", "line1\nline2\\end\r")
                .build();

        byte[] data = NodeData.encode(i);

        assertThat(NodeData.decode(SERVICE, "10.0.0.7:7420", data)).isEqualTo(i);
        assertThat(new String(data, StandardCharsets.UTF_8)).contains("protocol=2\n");
        assertThat(new String(data, StandardCharsets.UTF_8)).contains("metadata.odd\\=key=line1\\nline2\\\\end\\r\n");
    }

    @Test
    void aHandWrittenNodeWithSpacesCommentsAndUnknownKeysIsAccepted() {
        ServiceInstance i = decode(
                "10.0.0.7:7420", "# written by hand\n\n weight = 30 \r\nfuture-key=whatever\nserializers= a , b,\n");

        assertThat(i.weight()).isEqualTo(30);
        assertThat(i.serializers()).containsExactly("a", "b");
        assertThat(i.version()).isEmpty();
        assertThat(i.metadata()).isEmpty();
    }

    @Test
    void missingKeysTakeTheDefaults() {
        ServiceInstance i = decode("h:1", "version=\n");

        assertThat(i.weight()).isEqualTo(ServiceInstance.DEFAULT_WEIGHT);
        assertThat(i.protocolVersion()).isEqualTo(ServiceInstance.DEFAULT_PROTOCOL_VERSION);
        assertThat(i.startTimestampMillis()).isZero();
        assertThat(i.address()).isEqualTo("h:1");
    }

    @Test
    void ipv6AndPercentEncodedNamesDecode() {
        ServiceInstance i =
                ServiceInstance.builder(SERVICE, "fe80::1%eth0", 7420).build();
        String name = Layout.encode(i.address());

        assertThat(name).isEqualTo("fe80::1%25eth0:7420");
        assertThat(NodeData.decode(SERVICE, name, NodeData.encode(i)).host()).isEqualTo("fe80::1%eth0");
    }

    @Test
    void malformedNodesAreRefusedWithTheReason() {
        assertThatThrownBy(() -> decode("no-port", "weight=1")).hasMessage("the node name is not host:port");
        assertThatThrownBy(() -> decode(":7420", "weight=1")).hasMessage("the node name is not host:port");
        assertThatThrownBy(() -> decode("h:99999", "weight=1"))
                .hasMessage("port in the node name: 99999 (expected: 1-65535)");
        assertThatThrownBy(() -> decode("h:%zz", "weight=1")).hasMessage("the node name is not host:port");
        assertThatThrownBy(() -> decode("h:1", "")).hasMessage("no data (expected: key=value lines)");
        assertThatThrownBy(() -> decode("h:1", "weight=-1")).hasMessage("weight: -1 (expected: 0-1000000)");
        assertThatThrownBy(() -> decode("h:1", "weight=2000000")).hasMessage("weight: 2000000 (expected: 0-1000000)");
        assertThatThrownBy(() -> decode("h:1", "weight=1\nweight=2")).hasMessage("key 'weight' appears twice");
        assertThatThrownBy(() -> decode("h:1", "weight=1\njunk")).hasMessage("line 2 is not key=value: 'junk'");
        assertThatThrownBy(() -> decode("h:1", "=1")).hasMessage("line 1 has an empty key");
        assertThatThrownBy(() -> decode("h:1", "protocol=0")).hasMessage("protocol: '0' (expected: 1-255)");
        assertThatThrownBy(() -> decode("h:1", "protocol=256")).hasMessage("protocol: '256' (expected: 1-255)");
        assertThatThrownBy(() -> decode("h:1", "start-timestamp=soon"))
                .hasMessage("start-timestamp: 'soon' (expected: an integer)");
        assertThatThrownBy(() -> NodeData.decode(SERVICE, "h:1", new byte[] {'w', '=', (byte) 0xc3}))
                .hasMessage("data is not UTF-8 text");
    }

    @Test
    void layoutPutsProvidersUnderTheServiceAndEscapesOnlyWhatItMust() {
        Layout layout = new Layout("/microrpc");
        ServiceInstance i = ServiceInstance.builder("a/b.C$D", "h", 1).build();

        assertThat(layout.providerPath(i)).isEqualTo("/microrpc/a%2Fb.C$D/providers/h:1");
        assertThat(Layout.encode("..")).isEqualTo("%2E%2E");
        assertThat(Layout.decodeName("a%2Fb")).isEqualTo("a/b");
    }
}
