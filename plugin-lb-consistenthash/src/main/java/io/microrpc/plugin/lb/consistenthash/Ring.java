package io.microrpc.plugin.lb.consistenthash;

import io.microrpc.spi.Endpoint;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A ketama hash ring: each endpoint owns {@code virtualNodes} points, four per MD5 digest of
 * {@code "<host:port>-<i>"}, so an endpoint's points depend on its address only. Adding or removing one
 * of N endpoints therefore moves only the keys between its points and their neighbours, about 1/N of
 * them. Endpoints with weight 0 get no points while another has weight.
 *
 * <p>Immutable and thread-safe. Built for one candidate list; {@link #matches} tells whether a later
 * list is the same one, so the ring (n × virtualNodes points, a few milliseconds to build at 100
 * endpoints) is rebuilt only when the candidates change.
 */
final class Ring {

    static final Ring EMPTY = new Ring(new Endpoint[0], new boolean[0], new Endpoint[0], new int[0], new Endpoint[0]);

    /** The candidates this ring was built for, in their order, and whether each had weight. */
    private final Endpoint[] candidates;

    private final boolean[] live;
    /** The endpoints that own points. */
    private final Endpoint[] members;
    /** Sorted ring positions and the endpoint owning each. */
    private final int[] points;

    private final Endpoint[] owners;

    private Ring(Endpoint[] candidates, boolean[] live, Endpoint[] members, int[] points, Endpoint[] owners) {
        this.candidates = candidates;
        this.live = live;
        this.members = members;
        this.points = points;
        this.owners = owners;
    }

    static Ring build(List<Endpoint> candidateList, int virtualNodes) {
        Endpoint[] candidates = candidateList.toArray(new Endpoint[0]);
        boolean[] live = new boolean[candidates.length];
        boolean anyLive = false;
        for (int i = 0; i < candidates.length; i++) {
            live[i] = candidates[i].weight() > 0;
            anyLive |= live[i];
        }
        final boolean onlyLive = anyLive;
        Endpoint[] members = Arrays.stream(candidates)
                .filter(e -> !onlyLive || e.weight() > 0)
                // by address: points that collide resolve the same way whatever the candidate order
                .sorted(Comparator.comparing(Endpoint::address))
                .toArray(Endpoint[]::new);
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
        return new Ring(candidates, live, members, points, owners);
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is missing, though every Java platform must provide it", e);
        }
    }

    /** True when {@code list} holds the very endpoints this ring was built for, in order, with the same weight state. */
    boolean matches(List<Endpoint> list) {
        int n = candidates.length;
        if (list.size() != n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            Endpoint e = list.get(i);
            if (e != candidates[i] || (e.weight() > 0) != live[i]) {
                return false;
            }
        }
        return true;
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
