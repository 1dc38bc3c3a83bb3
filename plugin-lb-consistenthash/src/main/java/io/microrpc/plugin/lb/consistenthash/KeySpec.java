package io.microrpc.plugin.lb.consistenthash;

import io.microrpc.spi.Invocation;
import java.util.Arrays;

/**
 * Which part of a call is its hash key: configured per method as {@code key.<service>/<method>=arg:0}
 * (the {@code toString} of argument 0; {@code arg:0,2} for several), or {@code attachment:tenant} (the
 * attachment's value; a call without it has the empty key). Without configuration: the first argument,
 * or the method name for a method without arguments. Immutable and thread-safe.
 *
 * <p>A key should have a value-based {@code toString}: strings, numbers, enums, records. Arrays and
 * most other objects print their identity, which differs per call and per process.
 */
final class KeySpec {

    static final KeySpec DEFAULT = new KeySpec(Kind.DEFAULT, new int[0], null, "(default: first argument)");

    private enum Kind {
        DEFAULT,
        ARGUMENTS,
        ATTACHMENT
    }

    private final Kind kind;
    private final int[] arguments;
    private final String attachment;
    /** The configuration key this spec came from, for messages. */
    private final String source;

    private KeySpec(Kind kind, int[] arguments, String attachment, String source) {
        this.kind = kind;
        this.arguments = arguments;
        this.attachment = attachment;
        this.source = source;
    }

    /** Parses {@code arg:<index>[,<index>...]} or {@code attachment:<name>}, the value of {@code source}. */
    static KeySpec parse(String source, String value) {
        String v = value.trim();
        if (v.startsWith("attachment:") && v.length() > "attachment:".length()) {
            return new KeySpec(
                    Kind.ATTACHMENT,
                    new int[0],
                    v.substring("attachment:".length()).trim(),
                    source);
        }
        if (v.startsWith("arg:")) {
            String[] parts = v.substring("arg:".length()).split(",", -1);
            int[] indexes = new int[parts.length];
            try {
                for (int i = 0; i < parts.length; i++) {
                    indexes[i] = Integer.parseInt(parts[i].trim());
                    if (indexes[i] < 0) {
                        throw new NumberFormatException("negative");
                    }
                }
                return new KeySpec(Kind.ARGUMENTS, indexes, null, source);
            } catch (NumberFormatException e) {
                // fall through to the message below
            }
        }
        throw new IllegalArgumentException(source + ": '" + value
                + "' (expected: arg:<index>[,<index>...] with indexes " + ">= 0, or attachment:<name>)");
    }

    /** The ring position of {@code invocation}'s key. Allocates only to turn a non-string argument into a string. */
    int hash(Invocation invocation) {
        switch (kind) {
            case ATTACHMENT: {
                String value = invocation.attachment(attachment);
                return KeyHash.of(value == null ? "" : value);
            }
            case ARGUMENTS: {
                long h = KeyHash.START;
                for (int i = 0; i < arguments.length; i++) {
                    if (i > 0) {
                        h = KeyHash.separate(h);
                    }
                    h = KeyHash.add(h, argument(invocation, arguments[i]));
                }
                return KeyHash.finish(h);
            }
            default:
                return invocation.argumentCount() > 0
                        ? KeyHash.of(String.valueOf(invocation.argument(0)))
                        : KeyHash.of(invocation.methodName());
        }
    }

    private String argument(Invocation invocation, int index) {
        if (index >= invocation.argumentCount()) {
            throw new IllegalArgumentException(source + ": argument " + index + " (expected: an index below "
                    + invocation.argumentCount() + ", the number of arguments of "
                    + invocation.method().fullName() + ")");
        }
        return String.valueOf(invocation.argument(index));
    }

    @Override
    public String toString() {
        switch (kind) {
            case ATTACHMENT:
                return "attachment:" + attachment;
            case ARGUMENTS:
                return "arg:" + Arrays.toString(arguments).replaceAll("[\\[\\] ]", "");
            default:
                return "first argument, or the method name";
        }
    }
}
