package io.microrpc.plugin.lb.consistenthash;

/**
 * The 32-bit ring position of a call's key: FNV-1a over the key's UTF-16 chars, then MurmurHash3's
 * 64-bit finalizer so that keys differing in one character land far apart. Streaming (a key may be
 * several arguments, hashed one after the other with a separator) and allocation-free, which a
 * {@code MessageDigest} per call is not. Stateless.
 */
final class KeyHash {

    static final long START = 0xcbf29ce484222325L;
    private static final long PRIME = 0x100000001b3L;
    /** Between two parts of a key, so that ("ab", "c") and ("a", "bc") differ. */
    private static final char SEPARATOR = '\uffff';

    private KeyHash() {}

    static long add(long hash, CharSequence part) {
        long h = hash;
        for (int i = 0, n = part.length(); i < n; i++) {
            h ^= part.charAt(i);
            h *= PRIME;
        }
        return h;
    }

    static long separate(long hash) {
        return (hash ^ SEPARATOR) * PRIME;
    }

    /** The ring position: the high 32 bits of the finalized hash. */
    static int finish(long hash) {
        long h = hash;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return (int) (h >>> 32);
    }

    static int of(CharSequence key) {
        return finish(add(START, key));
    }
}
