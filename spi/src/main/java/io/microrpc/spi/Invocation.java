package io.microrpc.spi;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * One call: which method, with which arguments, by when, and with which attachments (string
 * metadata that travels with the call, such as a trace id or an auth token). Immutable: the
 * {@code with*} methods return new instances, which filters pass on to the next step.
 *
 * <p>The argument array is not copied for speed; nobody may change it after the invocation is built.
 */
public final class Invocation {

    private final MethodDescriptor method;
    private final Object[] arguments;
    private final Map<String, String> attachments;
    private final Deadline deadline;

    private Invocation(
            MethodDescriptor method, Object[] arguments, Map<String, String> attachments, Deadline deadline) {
        this.method = method;
        this.arguments = arguments;
        this.attachments = attachments;
        this.deadline = deadline;
    }

    /**
     * A new invocation. {@code arguments} must match the method's parameter count; the array is
     * owned by the invocation from now on.
     */
    public static Invocation of(
            MethodDescriptor method, Object[] arguments, Map<String, String> attachments, Deadline deadline) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(deadline, "deadline");
        Object[] args = arguments == null ? new Object[0] : arguments;
        if (args.length != method.parameterTypes().size()) {
            throw new IllegalArgumentException("arguments: " + args.length + " (expected: "
                    + method.parameterTypes().size() + " for " + method.fullName() + ")");
        }
        Map<String, String> copy = attachments == null || attachments.isEmpty()
                ? Map.of()
                : Collections.unmodifiableMap(new HashMap<>(attachments));
        return new Invocation(method, args, copy, deadline);
    }

    public MethodDescriptor method() {
        return method;
    }

    public String service() {
        return method.service();
    }

    public String methodName() {
        return method.name();
    }

    public int argumentCount() {
        return arguments.length;
    }

    public Object argument(int index) {
        return arguments[index];
    }

    /** A copy of the arguments. */
    public Object[] arguments() {
        return arguments.clone();
    }

    /** Unmodifiable. */
    public Map<String, String> attachments() {
        return attachments;
    }

    public String attachment(String key) {
        return attachments.get(key);
    }

    public Deadline deadline() {
        return deadline;
    }

    public Invocation withAttachment(String key, String value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Map<String, String> copy = new HashMap<>(attachments);
        copy.put(key, value);
        return new Invocation(method, arguments, Collections.unmodifiableMap(copy), deadline);
    }

    public Invocation withDeadline(Deadline newDeadline) {
        return new Invocation(method, arguments, attachments, Objects.requireNonNull(newDeadline, "deadline"));
    }

    public Invocation withArguments(Object[] newArguments) {
        return of(method, newArguments, attachments, deadline);
    }

    @Override
    public String toString() {
        return "Invocation{" + method.fullName() + ", attachments=" + attachmentKeys() + ", " + deadline + '}';
    }

    /**
     * The attachments' keys, not their values: a value may be a credential (a token in {@code
     * authorization}), and an invocation is what gets logged when a call fails.
     */
    private String attachmentKeys() {
        return attachments.isEmpty() ? "{}" : new TreeSet<>(attachments.keySet()).toString();
    }
}
