package io.microrpc.plugin.filter.auth;

import io.microrpc.spi.Ticker;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The nonces of HMAC tokens accepted recently, so a token is accepted once. A nonce is remembered for
 * twice the clock skew from when it was first seen, on the monotonic ticker: a token is accepted only
 * while the wall clock is within the skew of its timestamp, so at most twice the skew after the first
 * time it could be seen, it can no longer be accepted anyway.
 *
 * <p>Bounded: at most {@code capacity} entries. When it is full of nonces not yet expired, a new token
 * is turned away ({@link Result#FULL}) rather than forgetting a nonce that could still be replayed.
 * Each entry holds the caller id and the nonce as one string in a linked hash map: measured 168 bytes
 * for a 20-character caller id and the client's 22-character nonces, 321 bytes for the longest ids and
 * nonces the token format allows (OpenJDK 17, compressed pointers, 200,000 entries).
 *
 * <p>Thread-safe: one lock around map operations only (the signature is checked before, outside it).
 */
final class ReplayCache {

    enum Result {
        FIRST_SEEN,
        REPLAYED,
        FULL
    }

    private final Ticker ticker;
    private final long retainNanos;
    private final int capacity;
    // Insertion order is expiry order: every entry is kept for the same time from its insertion.
    private final LinkedHashMap<String, Long> expiries = new LinkedHashMap<>();

    ReplayCache(Ticker ticker, long retainNanos, int capacity) {
        this.ticker = ticker;
        this.retainNanos = retainNanos;
        this.capacity = capacity;
    }

    /** Forgets the expired nonces, then records the nonce of {@code caller} unless it was seen within the window or there is no room. */
    synchronized Result record(String caller, String nonce) {
        long now = ticker.nanoTime();
        evictExpired(now);
        String key = caller + ' ' + nonce;
        Long expiry = expiries.get(key);
        if (expiry != null) {
            return Result.REPLAYED;
        }
        if (expiries.size() >= capacity) {
            return Result.FULL;
        }
        expiries.put(key, now + retainNanos);
        return Result.FIRST_SEEN;
    }

    synchronized int size() {
        return expiries.size();
    }

    private void evictExpired(long now) {
        Iterator<Map.Entry<String, Long>> it = expiries.entrySet().iterator();
        while (it.hasNext()) {
            if (it.next().getValue() - now > 0) {
                return;
            }
            it.remove();
        }
    }
}
