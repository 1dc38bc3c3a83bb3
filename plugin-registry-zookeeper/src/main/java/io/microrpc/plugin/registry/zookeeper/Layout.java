package io.microrpc.plugin.registry.zookeeper;

import io.microrpc.spi.ServiceInstance;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Where things live in ZooKeeper: {@code <root>/<service>/providers/<host:port>}. The root and the
 * provider nodes' parents are persistent; provider nodes are ephemeral. Names are written as they are,
 * so zkCli shows them readably; only characters a node name cannot hold (or that would make it
 * ambiguous) are percent-encoded as UTF-8 bytes. Immutable.
 */
final class Layout {

    private static final String PROVIDERS = "providers";

    private final String root;

    Layout(String root) {
        this.root = root;
    }

    String providersPath(String service) {
        return root + '/' + encode(service) + '/' + PROVIDERS;
    }

    String providerPath(ServiceInstance instance) {
        return providersPath(instance.service()) + '/' + encode(instance.address());
    }

    /** The node name of a provider path's last segment, decoded; null if it is not a valid encoding. */
    static String decodeName(String name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(name.length());
        int i = 0;
        while (i < name.length()) {
            int percent = name.indexOf('%', i);
            int end = percent < 0 ? name.length() : percent;
            out.writeBytes(name.substring(i, end).getBytes(StandardCharsets.UTF_8));
            if (percent < 0) {
                break;
            }
            if (percent + 2 >= name.length()) {
                return null;
            }
            int hi = Character.digit(name.charAt(percent + 1), 16);
            int lo = Character.digit(name.charAt(percent + 2), 16);
            if (hi < 0 || lo < 0) {
                return null;
            }
            out.write(hi << 4 | lo);
            i = percent + 3;
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    static String encode(String name) {
        if (name.equals(".") || name.equals("..")) {
            return name.replace(".", "%2E");
        }
        StringBuilder sb = new StringBuilder(name.length());
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c > 0x20 && c < 0x7f && c != '/' && c != '%') {
                sb.append((char) c);
            } else {
                sb.append('%')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }
}
