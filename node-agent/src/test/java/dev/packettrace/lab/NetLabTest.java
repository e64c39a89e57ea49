// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.testing.Eventually;
import dev.packettrace.testing.Privileged;
import dev.packettrace.tracer.IpPrefix;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Builds one real two-namespace lab and exercises it against the running kernel. */
@Tag("privileged")
class NetLabTest {

    private static final int OPEN_PORT = 8080;
    private static final int DROPPED_PORT = 9090;
    private static final int CLOSED_PORT = 7070;
    private static final int UDP_PORT = 7000;
    private static final LabAddress LEFT_V4 = LabAddress.parse("10.199.1.1/24");
    private static final LabAddress RIGHT_V4 = LabAddress.parse("10.199.1.2/24");
    private static final LabAddress LEFT_V6 = LabAddress.parse("fd00:199::1/64");
    private static final LabAddress RIGHT_V6 = LabAddress.parse("fd00:199::2/64");
    private static final Duration SHORT = Duration.ofMillis(500);

    private static NetLab lab;
    private static LabNamespace left;
    private static LabNamespace right;
    private static InstalledRule dropV4;
    private static InstalledRule dropV6;
    private static InstalledRule countUdp;
    private static InstalledRule markLeft;

    @BeforeAll
    static void buildLab() {
        Privileged.requireRoot();
        lab = NetLab.create();
        left = lab.addNamespace("left");
        right = lab.addNamespace("right");
        lab.addVeth(left, "l0", right, "r0");
        lab.addAddress(left, "l0", LEFT_V4);
        lab.addAddress(right, "r0", RIGHT_V4);
        lab.addAddress(left, "l0", LEFT_V6);
        lab.addAddress(right, "r0", RIGHT_V6);
        dropV4 = lab.addFirewallRule(right, FirewallRule.dropTcpInput(IpFamily.V4, DROPPED_PORT));
        dropV6 = lab.addFirewallRule(right, FirewallRule.dropTcpInput(IpFamily.V6, DROPPED_PORT));
        countUdp = lab.addFirewallRule(right, FirewallRule.countUdpInput(IpFamily.V4, UDP_PORT));
        markLeft = lab.addFirewallRule(left, FirewallRule.markOutput(IpFamily.V4, 0x2a));
        lab.listenTcp(right, RIGHT_V4.address(), OPEN_PORT);
        lab.listenTcp(right, RIGHT_V6.address(), OPEN_PORT);
    }

    @AfterAll
    static void closeLab() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void namespaceNamesCarryTheOwnerPid() {
        String prefix = "pt-" + ProcessHandle.current().pid() + "-";
        assertTrue(lab.id().matches("pt-\\d+-[0-9a-f]{4}"), lab.id());
        assertEquals(lab.id() + "-left", left.name());
        assertTrue(left.name().startsWith(prefix), left.name());
        assertEquals(List.of(left, right), lab.namespaces());
    }

    @Test
    void inodesAreDistinctAndAreTheKernelsNetnsIds() throws IOException {
        long host = ((Number) Files.getAttribute(Path.of("/proc/self/ns/net"), "unix:ino")).longValue();
        assertNotEquals(left.inode(), right.inode());
        assertNotEquals(host, left.inode());
        assertNotEquals(host, right.inode());
        for (LabNamespace ns : List.of(left, right)) {
            String seenInside = lab.exec(ns, List.of("readlink", "/proc/self/ns/net"), Duration.ofSeconds(5))
                    .requireSuccess()
                    .stdout()
                    .strip();
            assertEquals("net:[" + ns.inode() + "]", seenInside, ns.name());
        }
    }

    @Test
    void tcpToTheListeningPortConnectsOverV4AndV6() {
        assertTrue(lab.tcpConnect(left, RIGHT_V4.address(), OPEN_PORT, Duration.ofSeconds(5)));
        assertTrue(lab.tcpConnect(left, RIGHT_V6.address(), OPEN_PORT, Duration.ofSeconds(5)));
        // The listener keeps accepting after the first connection (nc -k).
        assertTrue(lab.tcpConnect(left, RIGHT_V4.address(), OPEN_PORT, Duration.ofSeconds(5)));
    }

    @Test
    void tcpToTheDroppedPortTimesOutAndTheRuleCountsIt() {
        long v4Before = lab.counters(dropV4).packets();
        long v6Before = lab.counters(dropV6).packets();
        long start = System.nanoTime();
        assertFalse(lab.tcpConnect(left, RIGHT_V4.address(), DROPPED_PORT, SHORT));
        assertFalse(lab.tcpConnect(left, RIGHT_V6.address(), DROPPED_PORT, SHORT));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(SHORT.multipliedBy(2)) >= 0, "a dropped SYN must wait out the timeout: " + took);
        assertTrue(took.compareTo(Duration.ofSeconds(4)) < 0, "the timeout must be honoured: " + took);
        assertTrue(lab.counters(dropV4).packets() > v4Before, "v4 DROP rule did not match");
        assertTrue(lab.counters(dropV6).packets() > v6Before, "v6 DROP rule did not match");
    }

    @Test
    void tcpToAPortWithoutListenerIsRefusedAtOnce() {
        long start = System.nanoTime();
        assertFalse(lab.tcpConnect(left, RIGHT_V4.address(), CLOSED_PORT, Duration.ofSeconds(5)));
        assertTrue(
                Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(2)) < 0,
                "a refused connection must not wait for the timeout");
    }

    @Test
    void pingWorksOverV4AndV6() {
        PingResult v4 = lab.ping(left, RIGHT_V4.address(), 3, Duration.ofSeconds(2));
        PingResult v6 = lab.ping(left, RIGHT_V6.address(), 3, Duration.ofSeconds(2));
        assertEquals(new PingResult(3, 3), v4);
        assertEquals(new PingResult(3, 3), v6);
    }

    @Test
    void pingToAnAddressNobodyHasGetsNoReply() {
        PingResult r = lab.ping(left, address("10.199.1.99"), 1, Duration.ofSeconds(1));
        assertEquals(new PingResult(1, 0), r);
        assertFalse(r.allReplied());
    }

    @Test
    void udpDatagramReachesTheOtherNamespace() {
        long before = lab.counters(countUdp).packets();
        lab.sendUdp(left, RIGHT_V4.address(), UDP_PORT, "hello".getBytes(StandardCharsets.US_ASCII));
        Eventually.await(
                Duration.ofSeconds(5),
                () -> lab.counters(countUdp).packets() == before + 1,
                () -> "the UDP counting rule in " + right.name() + " to see exactly one more datagram");
        RuleCounters after = lab.counters(countUdp);
        assertEquals(before + 1, after.packets());
    }

    @Test
    void markRuleInMangleOutputSeesOutgoingPackets() {
        long before = lab.counters(markLeft).packets();
        assertEquals(new PingResult(2, 2), lab.ping(left, RIGHT_V4.address(), 2, Duration.ofSeconds(2)));
        assertTrue(lab.counters(markLeft).packets() >= before + 2, "MARK rule in mangle OUTPUT did not match");
        String rules = lab.exec(left, List.of("iptables", "-t", "mangle", "-S", "OUTPUT"), Duration.ofSeconds(5))
                .requireSuccess()
                .stdout();
        assertTrue(rules.contains("MARK --set-xmark 0x2a/0xffffffff"), rules);
    }

    @Test
    void failingCommandCarriesCommandLineExitCodeAndStderr() {
        CommandFailedException e = assertThrows(
                CommandFailedException.class, () -> lab.addAddress(left, "nope0", LabAddress.parse("10.199.2.1/24")));
        assertTrue(e.command().contains("nope0"), e.command().toString());
        assertNotEquals(0, e.exitCode());
        assertTrue(e.stderr().contains("nope0"), e.stderr());
        assertTrue(
                e.getMessage().contains("ip -n " + left.name() + " addr add 10.199.2.1/24 dev nope0"), e.getMessage());
    }

    @Test
    void rejectsAddressesOutsideTheLabRangesAndForeignNamespaces() {
        assertThrows(IllegalArgumentException.class, () -> LabAddress.parse("192.168.1.1/24"));
        assertThrows(IllegalArgumentException.class, () -> LabAddress.parse("10.199.1.1/8"));
        assertThrows(IllegalArgumentException.class, () -> LabAddress.parse("2001:db8::1/64"));
        LabNamespace foreign = new LabNamespace("pt-1-abcd-other", 12345);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> lab.ping(foreign, RIGHT_V4.address(), 1, SHORT));
        assertTrue(e.getMessage().contains("does not belong to lab"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> lab.addNamespace("Bad-Role"));
        assertThrows(IllegalArgumentException.class, () -> lab.addVeth(left, "name-longer-than-15", right, "x"));
    }

    static InetAddress address(String literal) {
        return IpPrefix.parse(literal).network();
    }
}
