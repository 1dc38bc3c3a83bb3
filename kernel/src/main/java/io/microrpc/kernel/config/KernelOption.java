package io.microrpc.kernel.config;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One kernel configuration key, declared once in {@link KernelOptions}: its key, type, default, the
 * values it accepts, whether a running kernel applies an edit of it ({@linkplain #live() live}) or only
 * a restart does, and the sentence documenting it. Parsing, the builder, validation messages, the
 * accessors of {@link KernelSettings} and the tables of docs/CONFIGURATION.md all derive from it (as
 * Armeria's {@code ClientOption.define}). Immutable.
 *
 * @param <T> the type of the value
 */
public final class KernelOption<T> {

    /** The part of docs/CONFIGURATION.md whose table documents an option. */
    public enum Section {
        SERVER("Server"),
        CLIENT("Client"),
        CONNECTION_HEALTH("Connection health"),
        PROTOCOL("Protocol"),
        TLS("TLS"),
        ADMIN("Admin endpoint"),
        METRICS("Metrics"),
        PLUGINS("Plugins");

        private final String title;

        Section(String title) {
            this.title = title;
        }

        /** The heading of the section in docs/CONFIGURATION.md. */
        public String title() {
            return title;
        }
    }

    private final Section section;
    private final String key;
    private final ValueType<T> type;
    private final T defaultValue;
    private final Predicate<? super T> accepts;
    private final String expected;
    private final String servicePoint;
    private final boolean live;
    private final String doc;

    private KernelOption(Declaration<T> d, boolean live, String doc) {
        this.section = d.section;
        this.key = d.key;
        this.type = d.type;
        this.accepts = d.accepts;
        this.expected = d.expected;
        this.servicePoint = d.servicePoint;
        this.live = live;
        this.doc = Objects.requireNonNull(doc, "doc");
        this.defaultValue = validate(d.defaultValue);
    }

    /** The key in the configuration file, e.g. {@code server.port}. */
    public String key() {
        return key;
    }

    public T defaultValue() {
        return defaultValue;
    }

    /** Whether a running kernel applies an edit of this key to new calls; otherwise it takes effect at restart. */
    public boolean live() {
        return live;
    }

    /** The sentence documenting this key in docs/CONFIGURATION.md (Markdown). */
    public String doc() {
        return doc;
    }

    public Section section() {
        return section;
    }

    /** The values accepted, for people: {@code 0-65535}, {@code > 0}, or the form of the type. */
    public String expected() {
        return expected != null ? expected : type.description();
    }

    /**
     * The extension point ({@code loadbalancer}, {@code cluster}, {@code serializer}) that
     * {@code <key>[<service>]} chooses for one service, if this key may be set per service.
     */
    public Optional<String> servicePoint() {
        return Optional.ofNullable(servicePoint);
    }

    /** {@code value} as the configuration file writes it: {@code 3s}, {@code 8MiB}, {@code p2c,round-robin}. */
    public String format(T value) {
        return type.format(value);
    }

    @Override
    public String toString() {
        return key;
    }

    /** Reads the text of this key from a configuration file. */
    T parse(String text) {
        T value;
        try {
            value = type.parse(text);
        } catch (RuntimeException e) {
            String what = expected != null ? type.description() + ", " + expected : type.description();
            throw new ConfigException(key + ": '" + text + "' (expected: " + what + ")", e);
        }
        return validate(value);
    }

    /** {@code value}, immutable, if this key accepts it; else a message naming the key, the value and the expectation. */
    T validate(T value) {
        Objects.requireNonNull(value, key);
        if (!accepts.test(value)) {
            throw new ConfigException(key + ": " + type.format(value) + " (expected: " + expected + ")");
        }
        return type.immutable(value);
    }

    /** The start of a declaration; {@link #live} or {@link #restart} ends it. Not thread-safe. */
    static final class Declaration<T> {
        private final Section section;
        private final String key;
        private final ValueType<T> type;
        private final T defaultValue;
        private final Consumer<KernelOption<?>> declared;
        private Predicate<? super T> accepts = v -> true;
        private String expected;
        private String servicePoint;

        Declaration(
                Section section, String key, ValueType<T> type, T defaultValue, Consumer<KernelOption<?>> declared) {
            this.section = section;
            this.key = key;
            this.type = type;
            this.defaultValue = defaultValue;
            this.declared = declared;
        }

        /** Values outside {@code accepts} are refused, the message saying {@code expected}, e.g. {@code >= 1}. */
        Declaration<T> accepts(Predicate<? super T> accepts, String expected) {
            this.accepts = accepts;
            this.expected = expected;
            return this;
        }

        /** {@code <key>[<service>]} chooses the extension of {@code point} for one service. */
        Declaration<T> perService(String point) {
            this.servicePoint = point;
            return this;
        }

        /** A key a running kernel applies to new calls when it is edited. */
        KernelOption<T> live(String doc) {
            return end(true, doc);
        }

        /** A key that takes effect at restart. */
        KernelOption<T> restart(String doc) {
            return end(false, doc);
        }

        private KernelOption<T> end(boolean live, String doc) {
            KernelOption<T> option = new KernelOption<>(this, live, doc);
            declared.accept(option);
            return option;
        }
    }
}
