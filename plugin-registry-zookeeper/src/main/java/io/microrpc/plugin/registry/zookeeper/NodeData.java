package io.microrpc.plugin.registry.zookeeper;

import io.microrpc.spi.ServiceInstance;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A provider node's data: UTF-8 {@code key=value} lines that zkCli's {@code get} shows as they are.
 *
 * <pre>
 * weight=100
 * version=1.0
 * group=
 * serializers=protostuff,java-test
 * protocol=1
 * start-timestamp=1732575000000
 * metadata.zone=eu-west-1a
 * </pre>
 *
 * Host and port are the node's name. Blank lines and lines starting with {@code #} are ignored, as are
 * unknown keys (so newer writers can add some). Keys and values are trimmed. In keys and values, {@code \\}, {@code \n}, {@code \r}
 * and (in keys) {@code \=} are escapes. Stateless.
 */
final class NodeData {

    private static final String METADATA = "metadata.";

    private NodeData() {}

    static byte[] encode(ServiceInstance i) {
        StringBuilder sb = new StringBuilder(128);
        line(sb, "weight", String.valueOf(i.weight()));
        line(sb, "version", i.version());
        line(sb, "group", i.group());
        line(sb, "serializers", String.join(",", i.serializers()));
        line(sb, "protocol", String.valueOf(i.protocolVersion()));
        line(sb, "start-timestamp", String.valueOf(i.startTimestampMillis()));
        i.metadata().forEach((k, v) -> line(sb, METADATA + k, v));
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads the instance of {@code service} that a node named {@code nodeName} (still percent-encoded)
     * describes with {@code data}.
     *
     * @throws IllegalArgumentException saying what is wrong, if the name or the data is malformed
     */
    static ServiceInstance decode(String service, String nodeName, byte[] data) {
        String address = Layout.decodeName(nodeName);
        int colon = address == null ? -1 : address.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("the node name is not host:port");
        }
        int port = parseInt(address.substring(colon + 1), "port in the node name");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port in the node name: " + port + " (expected: 1-65535)");
        }
        ServiceInstance.Builder b = ServiceInstance.builder(service, address.substring(0, colon), port);
        Map<String, String> values = parse(data);
        for (Map.Entry<String, String> e : values.entrySet()) {
            String key = e.getKey();
            String value = e.getValue();
            switch (key) {
                case "weight" -> {
                    // The builder refuses a weight outside 0-MAX_WEIGHT, saying so.
                    b.weight(parseInt(value, "weight"));
                }
                case "version" -> b.version(value);
                case "group" -> b.group(value);
                case "serializers" ->
                    b.serializers(Arrays.stream(value.split(","))
                            .map(String::trim)
                            .filter(s -> !s.isEmpty())
                            .toList());
                case "protocol" -> {
                    int protocol = parseInt(value, "protocol");
                    if (protocol < 1 || protocol > 255) {
                        throw new IllegalArgumentException("protocol: '" + value + "' (expected: 1-255)");
                    }
                    b.protocolVersion(protocol);
                }
                case "start-timestamp" -> {
                    long ts = parseLong(value, "start-timestamp");
                    if (ts < 0) {
                        throw new IllegalArgumentException("start-timestamp: " + ts + " (expected: >= 0)");
                    }
                    b.startTimestampMillis(ts);
                }
                default -> {
                    if (key.startsWith(METADATA) && key.length() > METADATA.length()) {
                        b.metadata(key.substring(METADATA.length()), value);
                    }
                }
            }
        }
        return b.build();
    }

    private static Map<String, String> parse(byte[] data) {
        if (data == null || data.length == 0) {
            throw new IllegalArgumentException("no data (expected: key=value lines)");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(data))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("data is not UTF-8 text");
        }
        Map<String, String> values = new LinkedHashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n];
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            List<String> kv = splitUnescaped(line);
            if (kv == null) {
                throw new IllegalArgumentException("line " + (n + 1) + " is not key=value: '" + abbreviate(line) + "'");
            }
            String key = kv.get(0);
            if (key.isEmpty()) {
                throw new IllegalArgumentException("line " + (n + 1) + " has an empty key");
            }
            if (values.put(key, kv.get(1)) != null) {
                throw new IllegalArgumentException("key '" + key + "' appears twice");
            }
        }
        return values;
    }

    /** Splits at the first unescaped '=', trims both sides and unescapes them; null without one. */
    private static List<String> splitUnescaped(String line) {
        int eq = -1;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '=') {
                eq = i;
                break;
            }
        }
        if (eq < 0) {
            return null;
        }
        return List.of(
                unescape(line.substring(0, eq).strip()),
                unescape(line.substring(eq + 1).strip()));
    }

    private static String unescape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char next = s.charAt(++i);
                sb.append(
                        switch (next) {
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            default -> next;
                        });
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, String key, String value) {
        sb.append(escape(key, true)).append('=').append(escape(value, false)).append('\n');
    }

    private static String escape(String s, boolean key) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '=' -> sb.append(key ? "\\=" : "=");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    private static int parseInt(String value, String what) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + ": '" + abbreviate(value) + "' (expected: an integer)");
        }
    }

    private static long parseLong(String value, String what) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + ": '" + abbreviate(value) + "' (expected: an integer)");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
