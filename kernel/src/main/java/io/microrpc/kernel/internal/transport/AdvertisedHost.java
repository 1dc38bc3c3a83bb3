package io.microrpc.kernel.internal.transport;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Chooses the address a server bound to the wildcard address publishes to registries, so consumers on
 * other machines can dial it. {@code InetAddress.getLocalHost()} is no answer: on many hosts (Debian,
 * containers) the host name maps to 127.0.0.1 in /etc/hosts. As Dubbo and Spring Cloud do, the choice
 * enumerates the network interfaces instead: up and not loopback; addresses neither loopback, wildcard,
 * link-local nor multicast. Among those, in order of preference: an interface that is not virtual,
 * point-to-point (VPN tunnels) or a container/VM bridge by name (docker0, veth…, virbr…); IPv4; a
 * site-local address (10/8, 172.16/12, 192.168/16, IPv6 fc00::/7); then the lowest interface index.
 * Stateless; the choice takes the interface list, so tests give it any machine they like.
 */
public final class AdvertisedHost {

    /** Name prefixes of bridges and tunnels that other machines usually cannot reach. */
    private static final List<String> BRIDGE_PREFIXES = List.of(
            "docker",
            "br-",
            "veth",
            "virbr",
            "vmnet",
            "vboxnet",
            "cni",
            "flannel",
            "cali",
            "tun",
            "tap",
            "wg",
            "tailscale",
            "zt");

    private AdvertisedHost() {}

    /** What the choice needs to know of one network interface. */
    public record Interface(
            String name,
            int index,
            boolean up,
            boolean loopback,
            boolean virtual,
            boolean pointToPoint,
            List<InetAddress> addresses) {

        public Interface {
            addresses = List.copyOf(addresses);
        }

        static Interface of(NetworkInterface n) throws SocketException {
            return new Interface(
                    n.getName(),
                    n.getIndex(),
                    n.isUp(),
                    n.isLoopback(),
                    n.isVirtual(),
                    n.isPointToPoint(),
                    Collections.list(n.getInetAddresses()));
        }
    }

    /** A chosen address and the interface it is on. */
    public record Choice(InetAddress address, String interfaceName) {

        /** The address as registries publish it: IPv4 dotted, IPv6 without a zone. */
        public String host() {
            return text(address);
        }
    }

    /** This machine's network interfaces; those that cannot be read are left out. */
    public static List<Interface> ofThisMachine() {
        List<Interface> out = new ArrayList<>();
        try {
            for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                try {
                    out.add(Interface.of(n));
                } catch (SocketException e) {
                    // An interface that vanished or cannot be queried is no candidate.
                }
            }
        } catch (SocketException e) {
            return List.of();
        }
        return out;
    }

    /** The preferred reachable address of {@code interfaces}; empty when there is none (only loopback). */
    public static Optional<Choice> choose(List<Interface> interfaces) {
        List<Candidate> candidates = new ArrayList<>();
        for (Interface n : interfaces) {
            if (!n.up() || n.loopback()) {
                continue;
            }
            for (InetAddress a : n.addresses()) {
                if (!a.isLoopbackAddress()
                        && !a.isAnyLocalAddress()
                        && !a.isLinkLocalAddress()
                        && !a.isMulticastAddress()) {
                    candidates.add(new Candidate(n, a, candidates.size()));
                }
            }
        }
        return candidates.stream()
                .min(Comparator.comparingInt(Candidate::interfaceRank)
                        .thenComparingInt(c -> c.address() instanceof Inet4Address ? 0 : 1)
                        .thenComparingInt(c -> siteLocal(c.address()) ? 0 : 1)
                        .thenComparingInt(c -> c.nic().index())
                        .thenComparingInt(Candidate::order))
                .map(c -> new Choice(c.address(), c.nic().name()));
    }

    private record Candidate(Interface nic, InetAddress address, int order) {
        int interfaceRank() {
            String name = nic.name().toLowerCase(Locale.ROOT);
            boolean bridge = BRIDGE_PREFIXES.stream().anyMatch(name::startsWith);
            return nic.virtual() || nic.pointToPoint() || bridge ? 1 : 0;
        }
    }

    private static boolean siteLocal(InetAddress a) {
        if (a instanceof Inet6Address) {
            return (a.getAddress()[0] & 0xfe) == 0xfc; // unique local fc00::/7; fec0::/10 is deprecated
        }
        return a.isSiteLocalAddress();
    }

    private static String text(InetAddress a) {
        if (a instanceof Inet6Address) {
            try {
                // Addresses read from an interface carry its zone (2001:db8::1%eth0): meaningless elsewhere.
                return InetAddress.getByAddress(a.getAddress()).getHostAddress();
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e); // a 16-byte address is always valid
            }
        }
        return a.getHostAddress();
    }
}
