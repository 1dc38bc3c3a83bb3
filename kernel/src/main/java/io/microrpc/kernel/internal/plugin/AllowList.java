package io.microrpc.kernel.internal.plugin;

import io.microrpc.kernel.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pins in force ({@code plugins.allow}), kept in step with their file for {@link PluginHost}: read
 * at start (a missing or malformed file fails the start), read again at each reconcile (the file's
 * watcher triggers one), and asked for each plugin JAR whether it may run. An edit that cannot be read
 * or parsed is refused with a log line naming the file, the line and what is wrong; the previous pins
 * stay. Off (every JAR may run) when {@code plugins.allow} is empty. Used on the plugin lifecycle thread
 * only; not thread-safe.
 */
final class AllowList {

    /** Logged as the plugin host: operators filter the plugin state lines by that category. */
    private static final Logger log = LoggerFactory.getLogger(PluginHost.class);

    /** {@link #content} of a file that could not be read, so that is logged once. */
    private static final String UNREADABLE = "\u0000unreadable";

    /** The pinning file; null when pinning is off. */
    private final Path file;

    private final EventLog events;
    private PluginPins pins;
    /** The file's content last read, accepted or not; a reread with the same content changes nothing. */
    private String content;

    /** @param file the value of {@code plugins.allow}; the empty path turns pinning off */
    AllowList(Path file, EventLog events) {
        this.file = file.toString().isEmpty() ? null : file.toAbsolutePath();
        this.events = events;
    }

    boolean isOn() {
        return file != null;
    }

    /**
     * Reads the file for the first time.
     *
     * @throws ConfigException when it cannot be read or a line is malformed, saying which and why
     */
    void load() {
        if (file == null || pins != null) {
            return;
        }
        String text;
        try {
            text = read();
        } catch (IOException e) {
            throw new ConfigException(
                    "plugins.allow: cannot read " + file + " (" + e + "). Create it with one line per allowed JAR,"
                            + " '<plugin-id> <version> <sha256>': review the plugins folder, then"
                            + " bin/microrpc plugins --pins > " + file + "; or set plugins.allow empty to turn"
                            + " pinning off",
                    e);
        }
        pins = PluginPins.parse(file, text);
        content = text;
        log.info(
                "Plugin pinning on: {} allows {} JAR{}; any other JAR of the plugins folder is refused",
                file,
                pins.size(),
                pins.size() == 1 ? "" : "s");
    }

    /**
     * Reads the file again and applies an edit. A file that cannot be read or holds a malformed line
     * changes nothing: the previous pins stay, and the log says why (once per content).
     *
     * @return true when the pins changed
     */
    boolean refresh() {
        if (file == null) {
            return false;
        }
        if (pins == null) {
            load();
            return true;
        }
        String text;
        try {
            text = read();
        } catch (IOException e) {
            if (!UNREADABLE.equals(content)) {
                content = UNREADABLE;
                refused("cannot read " + file + " (" + e + ")");
            }
            return false;
        }
        if (text.equals(content)) {
            return false;
        }
        content = text;
        PluginPins next;
        try {
            next = PluginPins.parse(file, text);
        } catch (ConfigException e) {
            refused(e.getMessage());
            return false;
        }
        List<String> added = next.missingFrom(pins);
        List<String> removed = pins.missingFrom(next);
        pins = next;
        if (added.isEmpty() && removed.isEmpty()) {
            return false;
        }
        String change = "plugins.allow " + file + " changed: " + describe("allowed", added)
                + (added.isEmpty() || removed.isEmpty() ? "" : "; ") + describe("no longer allowed", removed);
        log.info("Plugin pinning: {}", change);
        events.add(change);
        return true;
    }

    private static String describe(String what, List<String> lines) {
        return lines.isEmpty() ? "" : what + " " + String.join(", ", lines);
    }

    private void refused(String why) {
        log.error(
                "Plugin pinning: the edit of {} is refused, the previous pins stay ({} allowed JAR{}): {}",
                file,
                pins.size(),
                pins.size() == 1 ? "" : "s",
                why);
        events.add("plugins.allow refused, the previous pins stay: " + why);
    }

    /**
     * Null when {@code f}, a plugin JAR, may run; else why not, with its hash and the exact line that
     * would allow it.
     */
    String refusal(PluginFile f) {
        if (file == null || pins.allows(f.id, f.version, f.hash)) {
            return null;
        }
        String line = PluginPins.line(f.id, f.version, f.hash);
        List<String> pinned = pins.pinned(f.id, f.version);
        if (pinned.isEmpty()) {
            return "not pinned: " + file + " has no line for " + f.id + ' ' + f.version + " (sha256 " + f.hash
                    + "); none of its code runs. To allow it after review, add the line: " + line;
        }
        return "not pinned: its sha256 " + f.hash + " is not the one " + file + " pins for " + f.id + ' '
                + f.version + " (" + String.join(", ", pinned) + "): the JAR changed after it was pinned; none of"
                + " its code runs. If the new content is intended, add the line: " + line;
    }

    private String read() throws IOException {
        // ISO-8859-1 decodes any bytes: ids, versions and hashes are compared as the file writes them.
        return Files.readString(file, StandardCharsets.ISO_8859_1);
    }
}
