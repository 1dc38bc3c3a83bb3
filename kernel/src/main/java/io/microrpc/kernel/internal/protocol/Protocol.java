package io.microrpc.kernel.internal.protocol;

/**
 * The frame layout of microrpc's wire protocol (docs/PROTOCOL.md). Every frame starts with this
 * fixed 18-byte header, big-endian:
 *
 * <pre>
 * offset size field
 *   0     2   magic 0x4D52 ("MR")
 *   2     1   protocol version (1)
 *   3     1   flags: RESPONSE, HEARTBEAT, ONE_WAY, GOAWAY, REFUSED, CANCEL
 *   4     1   serializer id
 *   5     1   status code (responses; 0 in requests)
 *   6     8   request id
 *  14     4   body length (metadata + payload), checked against the maximum frame size
 *             before anything is allocated
 * </pre>
 */
public final class Protocol {

    public static final short MAGIC = 0x4D52;
    public static final byte VERSION = 1;
    public static final int HEADER_LENGTH = 18;
    public static final int BODY_LENGTH_OFFSET = 14;

    public static final byte FLAG_RESPONSE = 0x01;
    public static final byte FLAG_HEARTBEAT = 0x02;
    public static final byte FLAG_ONE_WAY = 0x04;
    public static final byte FLAG_GOAWAY = 0x08;
    /** On an error response: the server did not run the call (it is safe to send it elsewhere). */
    public static final byte FLAG_REFUSED = 0x10;
    /**
     * A client's notice that it no longer wants the answer to request {@code id} (cancelled, or its
     * deadline passed): the server does not start it if it has not, and sends no response.
     */
    public static final byte FLAG_CANCEL = 0x20;

    /** Longest service, method, attachment key or value, in UTF-8 bytes. */
    public static final int MAX_SHORT_STRING = 0xFFFF;

    private Protocol() {}
}
