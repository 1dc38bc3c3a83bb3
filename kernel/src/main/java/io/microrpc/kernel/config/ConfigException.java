package io.microrpc.kernel.config;

/** A configuration value that cannot be used; the message names the key, the value and what was expected. */
public final class ConfigException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
