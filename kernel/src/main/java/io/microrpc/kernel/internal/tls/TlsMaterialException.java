package io.microrpc.kernel.internal.tls;

/** TLS material that cannot be used; the message names the key or file and what to do. */
public final class TlsMaterialException extends Exception {

    private static final long serialVersionUID = 1L;

    TlsMaterialException(String message) {
        super(message);
    }

    TlsMaterialException(String message, Throwable cause) {
        super(message, cause);
    }
}
