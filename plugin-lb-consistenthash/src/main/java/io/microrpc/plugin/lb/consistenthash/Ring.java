package io.microrpc.plugin.lb.consistenthash;

import io.microrpc.spi.Endpoint;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Comparator;

/**
 * A ketama hash ring: each endpoint owns {@code virtualNodes} points, four per MD5 digest of
 * {@code "<host:port>-<i>"}, so an endpoint's points depend on its address only. Adding or removing one
 * of N endpoints therefore moves only the keys between its points and their neighbours, about 1/N of
 * them; and walking on from a key's point to the next point of another owner finds the owner the key
 * would have without the first one.
 *
 * <p>Immutable and thread-safe. Built once per selector (n × virtualNodes points, a few milliseconds at
 * 100 endpoints).
 */
final class Ring {

    /** The endpoints that own points. */
    private final Endpoint[] members;
    /** Sorted ring positions and the endpoint owning each. */
    private final int[] points;

    private final Endpoint[] owners;

    private Ring(Endpoint[] members, int[] points, Endpoint[] owners) {
        this.members = members;
        this.points = points;
        this.owners = owners;
    }

    /** The ring of the candidates with weight, or of every candidate when none has weight. */
    static Ring of(Endpoint[] candidates, int virtualNodes) {
        boolean anyWeight = Arrays.stream(candidates).anyMatch(Endpoint::hasWeight);
        return anyWeight
                ? build(Arrays.stream(candidates).filter(Endpoint::hasWeight).toArray(Endpoint[]::new), virtualNodes)
                : build(candidates, virtualNodes);
    }

    /** The ring of every candidate, weight or not. */
    static Ring ofAll(Endpoint[] candidates, int virtualNodes) {
        return build(candidates, virtualNodes);
    }

    private static Ring build(Endpoint[] chosen, int virtualNodes) {
        Endpoint[] members = chosen.clone();
        // by address: points that collide resolve the same way whatever the candidate order
        Arrays.sort(members, Comparator.comparing(Endpoint::address));
        long[] entries = new long[members.length * virtualNodes];
        MessageDigest md5 = md5();
        int k = 0;
        for (int m = 0; m < members.length; m++) {
            String address = members[m].address();
            for (int group = 0, made = 0; made < virtualNodes; group++) {
                byte[] digest = md5.digest((address + '-' + group).getBytes(StandardCharsets.UTF_8));
                for (int h = 0; h < 4 && made < virtualNodes; h++, made++) {
                    int point = (digest[3 + h * 4] & 0xFF) << 24
                            | (digest[2 + h * 4] & 0xFF) << 16
                            | (digest[1 + h * 4] & 0xFF) << 8
                            | (digest[h * 4] & 0xFF);
                    entries[k++] = (long) point << 32 | m; // sorts by point, then member
                }
            }
        }
        Arrays.sort(entries);
        int[] points = new int[entries.length];
        Endpoint[] owners = new Endpoint[entries.length];
        for (int i = 0; i < entries.length; i++) {
            points[i] = (int) (entries[i] >> 32);
            owners[i] = members[(int) entries[i]];
        }
        return new Ring(members, points, owners);
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is missing, though every Java platform must provide it", e);
        }
    }

    /** The index of the first point at or after {@code position}, wrapping round to 0. */
    int locate(int position) {
        int i = Arrays.binarySearch(points, position);
        if (i < 0) {
            i = -i - 1;
        }
        return i == points.length ? 0 : i;
    }

    Endpoint owner(int index) {
        return owners[index];
    }

    int size() {
        return points.length;
    }

    /** The endpoints owning points. */
    Endpoint[] members() {
        return members;
    }
}
