package io.microrpc.plugin.registry.zookeeper;

import io.microrpc.spi.PluginConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The registry's configuration, parsed once from the {@code registry.zookeeper.*} keys. Immutable.
 * Every invalid value fails {@link #parse} with a message naming the full key, the value and what was
 * expected. docs/CONFIGURATION.md ("ZooKeeper registry") lists the keys.
 */
final class ZookeeperSettings {

    static final int DEFAULT_EMBEDDED_PORT = 2181;

    private final String connectString;
    private final String chroot;
    private final Duration sessionTimeout;
    private final Duration connectionTimeout;
    private final Duration retryBase;
    private final int retryMax;
    private final String root;
    private final String auth;
    private final boolean emptyProtection;
    private final int embeddedPort;
    private final Path embeddedDataDir;
    private final Path snapshotDir;

    private ZookeeperSettings(PluginConfig c, Path dataDirectory) {
        c.checkKnown(
                "address",
                "root",
                "session-timeout",
                "connection-timeout",
                "retry-base",
                "retry-max",
                "auth",
                "empty-protection",
                "embedded-port",
                "embedded-data-dir");
        String address = c.getString("address", "");
        int slash = address.indexOf('/');
        this.connectString = slash < 0 ? address : address.substring(0, slash);
        this.chroot = slash < 0 ? "" : address.substring(slash);
        if (!chroot.isEmpty()
                && (chroot.equals("/") || chroot.endsWith("/") || chroot.contains("//") || connectString.isEmpty())) {
            throw c.invalid("address", address, "host:port[,host:port...][/chroot], e.g. zk1:2181,zk2:2181/microrpc");
        }
        this.sessionTimeout = positive(c, "session-timeout", Duration.ofSeconds(30));
        this.connectionTimeout = positive(c, "connection-timeout", Duration.ofSeconds(5));
        this.retryBase = positive(c, "retry-base", Duration.ofMillis(500));
        this.retryMax = c.getInt("retry-max", 3);
        if (retryMax < 0 || retryMax > 29) {
            throw c.invalid("retry-max", String.valueOf(retryMax), "0-29 retries");
        }
        this.root = c.getString("root", "/microrpc");
        if (!root.startsWith("/") || root.length() < 2 || root.endsWith("/") || root.contains("//")) {
            throw c.invalid("root", root, "an absolute ZooKeeper path such as /microrpc");
        }
        this.auth = c.getString("auth", "");
        if (!auth.isEmpty() && (auth.indexOf(':') <= 0 || auth.indexOf(':') == auth.length() - 1)) {
            throw c.invalid("auth", "<hidden>", "user:password for a digest ACL");
        }
        this.emptyProtection = c.getBoolean("empty-protection", true);
        this.embeddedPort = c.getInt("embedded-port", DEFAULT_EMBEDDED_PORT);
        if (embeddedPort < 1 || embeddedPort > 65535) {
            throw c.invalid("embedded-port", String.valueOf(embeddedPort), "1-65535");
        }
        // Relative to the plugin's data directory (an absolute path stays as it is).
        this.embeddedDataDir = dataDirectory.resolve(c.getString("embedded-data-dir", "zookeeper"));
        this.snapshotDir = dataDirectory.resolve("snapshots");
    }

    static ZookeeperSettings parse(PluginConfig config, Path dataDirectory) {
        return new ZookeeperSettings(config, dataDirectory);
    }

    /** The ensemble's {@code host:port,...} without the chroot; empty means the embedded server. */
    String connectString() {
        return connectString;
    }

    boolean embedded() {
        return connectString.isEmpty();
    }

    /** The chroot from the address ({@code /apps/rpc}), or empty. */
    String chroot() {
        return chroot;
    }

    Duration sessionTimeout() {
        return sessionTimeout;
    }

    Duration connectionTimeout() {
        return connectionTimeout;
    }

    Duration retryBase() {
        return retryBase;
    }

    int retryMax() {
        return retryMax;
    }

    /** The path under which every service lives, {@code /microrpc} by default. */
    String root() {
        return root;
    }

    /** {@code user:password} for digest authentication, if configured. */
    Optional<String> auth() {
        return auth.isEmpty() ? Optional.empty() : Optional.of(auth);
    }

    boolean emptyProtection() {
        return emptyProtection;
    }

    int embeddedPort() {
        return embeddedPort;
    }

    Path embeddedDataDir() {
        return embeddedDataDir;
    }

    /**
     * Where the embedded server's credentials are generated and read ({@link EmbeddedCredentials}): in
     * its data directory, so whoever shares the data shares the credentials its ACLs name.
     */
    Path credentialsFile() {
        return embeddedDataDir.resolve(EmbeddedCredentials.FILE_NAME);
    }

    Path snapshotDir() {
        return snapshotDir;
    }

    /** Where this registry connects, for log lines: the address, or the embedded server's. */
    String describeAddress() {
        return embedded() ? "127.0.0.1:" + embeddedPort + " (embedded)" : connectString + chroot;
    }

    private static Duration positive(PluginConfig c, String key, Duration defaultValue) {
        Duration d = c.getDuration(key, defaultValue);
        if (d.isNegative() || d.isZero() || d.toMillis() > Integer.MAX_VALUE) {
            throw c.invalid(key, c.getString(key, ""), "a positive duration such as 250ms or 30s");
        }
        return d;
    }
}
