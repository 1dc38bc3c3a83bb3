package io.microrpc.plugin.codec.protostuff;

/**
 * How a string read from a payload (a class name, an enum constant) appears in an error message: whole
 * up to {@value #MAX_CHARS} characters, else its start and its length. The message travels back to the
 * caller and into logs, and a hostile payload can carry a name of megabytes.
 */
final class Shown {

    static final int MAX_CHARS = 64;

    private Shown() {}

    /** {@code name}, or {@code start... (100000 characters)}. */
    static String plain(String s) {
        return s.length() <= MAX_CHARS ? s : s.substring(0, MAX_CHARS) + "... (" + s.length() + " characters)";
    }

    /** {@code 'name'}, or {@code 'start...' (100000 characters)}. */
    static String quoted(String s) {
        return s.length() <= MAX_CHARS
                ? "'" + s + "'"
                : "'" + s.substring(0, MAX_CHARS) + "...' (" + s.length() + " characters)";
    }
}
