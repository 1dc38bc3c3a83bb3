package io.microrpc.kernel.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.kernel.internal.transport.AdvertisedHost.Choice;
import io.microrpc.kernel.internal.transport.AdvertisedHost.Interface;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which address a server bound to 0.0.0.0 publishes, on machines of every usual shape. */
class AdvertisedHostTest {

    private static final Interface LO = nic("lo", 1, "127.0.0.1", "::1");

    private static Interface nic(String name, int index, String... addresses) {
        return new Interface(name, index, true, name.equals("lo"), false, false, addresses(addresses));
    }

    private static List<InetAddress> addresses(String... text) {
        List<InetAddress> out = new ArrayList<>();
        for (String t : text) {
            try {
                out.add(InetAddress.getByName(t));
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException(t, e);
            }
        }
        return out;
    }

    private static String chosen(Interface... interfaces) {
        return AdvertisedHost.choose(List.of(interfaces)).map(Choice::host).orElse("none");
    }

    @Test
    void aContainerWhoseHostNameMapsToLoopbackPublishesItsInterfaceAddress() {
        assertThat(chosen(LO, nic("eth0", 2, "192.0.2.2"))).isEqualTo("192.0.2.2");
    }

    @Test
    void onlyLoopbackOrLinkLocalLeavesNoChoice() {
        assertThat(AdvertisedHost.choose(List.of(LO))).isEmpty();
        assertThat(chosen(LO, nic("eth0", 2, "169.254.10.1", "fe80::1"))).isEqualTo("none");
        assertThat(AdvertisedHost.choose(List.of())).isEmpty();
    }

    @Test
    void anInterfaceThatIsDownIsNoCandidate() {
        Interface down = new Interface("eth0", 2, false, false, false, false, addresses("10.0.0.5"));
        assertThat(chosen(LO, down, nic("eth1", 3, "10.0.1.5"))).isEqualTo("10.0.1.5");
    }

    @Test
    void ipv4IsPreferredOverIpv6OnTheSameInterface() {
        assertThat(chosen(nic("eth0", 2, "2001:db8::7", "fe80::7", "203.0.113.7")))
                .isEqualTo("203.0.113.7");
    }

    @Test
    void siteLocalIsPreferredOverAPublicAddress() {
        assertThat(chosen(nic("eth0", 2, "203.0.113.7"), nic("eth1", 3, "10.1.2.3")))
                .isEqualTo("10.1.2.3");
    }

    @Test
    void containerBridgesTunnelsAndVirtualInterfacesComeLast() {
        Interface vpn = new Interface("ppp0", 2, true, false, false, true, addresses("10.8.0.6"));
        Interface alias = new Interface("eth0:1", 3, true, false, true, false, addresses("10.9.0.6"));
        assertThat(chosen(LO, nic("docker0", 3, "172.17.0.1"), vpn, alias, nic("ens5", 4, "203.0.113.9")))
                .as("a reachable public address on a real NIC beats bridge, tunnel and alias")
                .isEqualTo("203.0.113.9");
        assertThat(chosen(LO, nic("docker0", 3, "172.17.0.1")))
                .as("better than nothing")
                .isEqualTo("172.17.0.1");
    }

    @Test
    void theLowestInterfaceIndexBreaksATie() {
        assertThat(chosen(nic("eth1", 5, "10.0.1.5"), nic("eth0", 2, "10.0.0.5")))
                .isEqualTo("10.0.0.5");
    }

    @Test
    void anIpv6OnlyMachinePublishesItsAddressWithoutAZone() throws Exception {
        InetAddress scoped = Inet6Address.getByAddress(
                null, InetAddress.getByName("2001:db8::5").getAddress(), 2);
        Optional<Choice> c = AdvertisedHost.choose(List.of(
                LO,
                new Interface(
                        "eth0", 2, true, false, false, false, List.of(InetAddress.getByName("fe80::5"), scoped))));
        assertThat(c).map(Choice::host).contains("2001:db8:0:0:0:0:0:5");
        assertThat(c).map(Choice::interfaceName).contains("eth0");
        assertThat(chosen(nic("eth0", 2, "2001:db8::5", "fd12:3456::5")))
                .as("unique local first")
                .isEqualTo("fd12:3456:0:0:0:0:0:5");
    }

    @Test
    void thisMachineCanBeRead() {
        assertThat(AdvertisedHost.ofThisMachine()).anyMatch(Interface::loopback);
    }
}
