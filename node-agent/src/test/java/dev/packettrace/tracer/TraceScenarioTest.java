// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.kernel.KernelSymbols;
import dev.packettrace.lab.DemoLab;
import dev.packettrace.lab.FirewallRule;
import dev.packettrace.lab.IpFamily;
import dev.packettrace.lab.LabNamespace;
import dev.packettrace.lab.NetLab;
import dev.packettrace.testing.Privileged;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The tracer against real traffic in real network namespaces: drops by an iptables rule, namespace
 * isolation, every filter, track-skb across a veth pair, and loss accounting.
 */
@Tag("privileged")
class TraceScenarioTest {

    /** Kernel functions of netfilter: the core (nf_), nftables (nft_), x_tables (ipt_, ip6t_). */
    static final String NETFILTER_FUNCTION = "^(nf|nft|ipt|ip6t)_\\w+\\+0x[0-9a-f]+$";

    private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(300);
    private static AddressSymbolizer symbols;

    @BeforeAll
    static void symbols() {
        Privileged.requireRoot();
        symbols = KernelSymbols.load()::symbolize;
    }

    @BeforeEach
    void root() {
        Privileged.requireRoot();
    }

    @Test
    void iptablesDropIsReportedWithReasonLocationAndNamespace() {
        try (DemoLab lab = DemoLab.start();
                RecordingSession rec =
                        record(TraceFilter.all().withNetns(Set.of(lab.server().inode())), false)) {
            assertFalse(lab.connectBlocked(CONNECT_TIMEOUT), "the DROP rule blocks port " + lab.blockedPort());

            PacketEvent drop = rec.awaitEvent(e -> e.dropReason().equals(Optional.of("NETFILTER_DROP")));

            assertEquals(lab.server().inode(), drop.netns(), "dropped in the server's namespace");
            // nf_hook_slow on older kernels, nft_do_chain where nftables frees the packet itself
            assertTrue(
                    drop.location().orElseThrow().matches(NETFILTER_FUNCTION),
                    "dropped by netfilter: " + drop.location());
            Tuple t = drop.tuple().orElseThrow();
            assertEquals(lab.serverAddress(), t.daddr());
            assertEquals(lab.clientAddress(), t.saddr());
            assertEquals(lab.blockedPort(), t.dport());
            assertEquals("tcp", t.l4protoName());
            assertEquals("skb:kfree_skb", drop.probe());
        }
    }

    @Test
    void namespacesOutsideTheFilterYieldNoEvents() {
        try (NetLab lab = NetLab.create()) {
            LabNamespace traced = lab.addNamespace("traced");
            LabNamespace other = lab.addNamespace("other");
            InetAddress loopback = InetAddress.getLoopbackAddress();
            try (RecordingSession rec = record(TraceFilter.all().withNetns(Set.of(traced.inode())), false)) {
                assertTrue(
                        lab.ping(other, loopback, 5, Duration.ofSeconds(1)).allReplied(),
                        "traffic in the other namespace");
                assertTrue(
                        lab.ping(traced, loopback, 1, Duration.ofSeconds(1)).allReplied(),
                        "traffic in the traced namespace");
                // events leave the ring buffer in the order they were written: once the traced
                // namespace's ping shows up, the other namespace's earlier pings would have too
                rec.awaitEvent(e -> e.netns() == traced.inode() && e.probe().equals("net:netif_receive_skb"));
                List<PacketEvent> foreign = rec.events().stream()
                        .filter(e -> e.netns() != traced.inode())
                        .toList();
                assertTrue(foreign.isEmpty(), "events from unfiltered namespaces: " + foreign);
            }
        }
    }

    /**
     * The node agent's case: pods come and go while one session traces. Several namespaces, so their inodes
     * set several bits of the kernel's summary word, and the namespace swapped in must pass it.
     */
    @Test
    void theNamespaceSetChangesWhileTracing() {
        try (NetLab lab = NetLab.create()) {
            LabNamespace first = lab.addNamespace("first");
            LabNamespace second = lab.addNamespace("second");
            LabNamespace third = lab.addNamespace("third");
            InetAddress loopback = InetAddress.getLoopbackAddress();
            try (RecordingSession rec =
                    record(TraceFilter.all().withNetns(Set.of(first.inode(), third.inode())), false)) {
                assertTrue(
                        lab.ping(second, loopback, 2, Duration.ofSeconds(1)).allReplied(),
                        "traffic before it is traced");
                assertTrue(
                        lab.ping(first, loopback, 1, Duration.ofSeconds(1)).allReplied(),
                        "traffic in a traced namespace");
                rec.awaitEvent(e -> e.netns() == first.inode() && e.probe().equals("net:netif_receive_skb"));

                // every event of the pings so far is in the ring buffer once they returned: take them all
                rec.session().drain();
                int before = rec.events().size();
                rec.session().setNetns(Set.of(second.inode(), third.inode()));
                assertTrue(
                        lab.ping(first, loopback, 2, Duration.ofSeconds(1)).allReplied(), "traffic no longer traced");
                assertTrue(lab.ping(second, loopback, 1, Duration.ofSeconds(1)).allReplied(), "traffic now traced");
                rec.awaitEvent(e -> e.netns() == second.inode() && e.probe().equals("net:netif_receive_skb"));

                List<PacketEvent> after =
                        rec.events().subList(before, rec.events().size());
                assertTrue(
                        after.stream().noneMatch(e -> e.netns() == first.inode()), "the removed namespace: " + after);
                assertTrue(
                        rec.events().subList(0, before).stream().noneMatch(e -> e.netns() == second.inode()),
                        "the added namespace before it was added: " + rec.events());
            }
        }
    }

    @Test
    void filtersOnAddressPortProtocolAndMarkKeepOnlyMatchingPackets() {
        try (DemoLab lab = DemoLab.start()) {
            Set<Long> both = Set.of(lab.client().inode(), lab.server().inode());
            TraceFilter base = TraceFilter.all().withNetns(both);

            // destination port: only the allowed port's packets
            TraceFilter port = new TraceFilter(
                    both,
                    OptionalLong.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    OptionalInt.empty(),
                    OptionalInt.of(lab.allowedPort()),
                    Optional.empty(),
                    false);
            assertOnlyMatching(lab, port, e -> e.tuple().orElseThrow().dport() == lab.allowedPort());

            // protocol: icmp only, although TCP flows at the same time
            TraceFilter icmp = new TraceFilter(
                    both,
                    OptionalLong.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    OptionalInt.empty(),
                    OptionalInt.empty(),
                    Optional.of(L4Proto.ICMP),
                    false);
            assertOnlyMatching(lab, icmp, e -> e.tuple().orElseThrow().l4proto() == L4Proto.ICMP.number());

            // source CIDR: only packets from the server (replies)
            TraceFilter fromServer = new TraceFilter(
                    both,
                    OptionalLong.empty(),
                    Optional.empty(),
                    Optional.of(IpPrefix.parse(lab.serverAddress().getHostAddress() + "/32")),
                    Optional.empty(),
                    OptionalInt.empty(),
                    OptionalInt.empty(),
                    Optional.empty(),
                    false);
            assertOnlyMatching(
                    lab, fromServer, e -> e.tuple().orElseThrow().saddr().equals(lab.serverAddress()));

            // mark: packets the client's mangle table marks
            lab.netLab().addFirewallRule(lab.client(), FirewallRule.markOutput(IpFamily.V4, 0x2a));
            TraceFilter mark = new TraceFilter(
                    both,
                    OptionalLong.of(0x2a),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    OptionalInt.empty(),
                    OptionalInt.empty(),
                    Optional.empty(),
                    false);
            assertOnlyMatching(
                    lab,
                    mark,
                    e -> e.mark() == 0x2a && e.netns() == lab.client().inode());

            assertTrue(base.matches(anyEvent(lab.client().inode())), "sanity: the base filter matches the lab");
        }
    }

    @Test
    void trackSkbFollowsAPacketAcrossTheVethIntoTheOtherNamespace() {
        try (DemoLab lab = DemoLab.start()) {
            long client = lab.client().inode();
            long server = lab.server().inode();
            TraceFilter onlyClient = new TraceFilter(
                    Set.of(client),
                    OptionalLong.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    OptionalInt.empty(),
                    OptionalInt.of(lab.allowedPort()),
                    Optional.of(L4Proto.TCP),
                    true);
            try (RecordingSession rec = record(onlyClient, false)) {
                assertTrue(lab.connectAllowed(CONNECT_TIMEOUT), "TCP to the allowed port connects");
                PacketEvent followed = rec.awaitEvent(e -> e.netns() == server);
                assertTrue(followed.tracked(), "reported only because it was tracked: " + followed);
                PacketEvent matched = rec.events().stream()
                        .filter(e -> e.skb() == followed.skb() && !e.tracked())
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("the same skb matched first in the client namespace"));
                assertEquals(client, matched.netns());
            }
        }
    }

    @Test
    void withoutTrackSkbTheOtherNamespaceStaysSilent() {
        try (DemoLab lab = DemoLab.start()) {
            TraceFilter onlyClient =
                    TraceFilter.all().withNetns(Set.of(lab.client().inode()));
            try (RecordingSession rec = record(onlyClient, false)) {
                assertTrue(lab.connectAllowed(CONNECT_TIMEOUT));
                rec.awaitEvent(e -> e.tuple()
                        .map(t -> t.sport() == lab.allowedPort())
                        .orElse(false)); // the reply reached the client
                assertTrue(rec.events().stream()
                        .noneMatch(e -> e.netns() == lab.server().inode()));
            }
        }
    }

    @Test
    void stacksShowTheKernelPathOfADrop() {
        try (DemoLab lab = DemoLab.start();
                RecordingSession rec =
                        record(TraceFilter.all().withNetns(Set.of(lab.server().inode())), true)) {
            lab.connectBlocked(CONNECT_TIMEOUT);
            PacketEvent drop = rec.awaitEvent(e -> e.dropReason().equals(Optional.of("NETFILTER_DROP")));
            assertTrue(drop.stack().stream().anyMatch(f -> f.startsWith("nf_hook_slow+")), "stack: " + drop.stack());
        }
    }

    @Test
    void lossUnderABurstIsCountedAndEveryWrittenEventIsDelivered() {
        try (NetLab lab = NetLab.create()) {
            LabNamespace ns = lab.addNamespace("burst");
            TracerConfig tiny = new TracerConfig(
                    TraceFilter.all().withNetns(Set.of(ns.inode())),
                    Backend.AUTO,
                    false,
                    TracerConfig.MIN_RING_BUFFER_BYTES);
            List<PacketEvent> seen = new CopyOnWriteArrayList<>();
            try (TracerSession session = TracerSession.start(tiny, seen::add, symbols)) {
                // nobody reads while the burst runs: one page holds a few dozen events
                lab.exec(ns, List.of("ping", "-q", "-c", "300", "-i", "0", "127.0.0.1"), Duration.ofSeconds(30))
                        .requireSuccess();
                session.drain();
                TraceStats stats = session.stats();
                assertTrue(stats.lost() > 0, "a 4 KiB ring buffer overflows: " + stats);
                assertEquals(session.emittedByKernel(), stats.events(), "every event the kernel wrote was delivered");
                assertEquals(seen.size(), stats.events());
                assertTrue(seen.stream().allMatch(e -> e.netns() == ns.inode()));
            }
        }
    }

    private static void assertOnlyMatching(DemoLab lab, TraceFilter filter, Predicate<PacketEvent> expected) {
        try (RecordingSession rec = record(filter, false)) {
            lab.connectAllowed(CONNECT_TIMEOUT);
            lab.netLab().ping(lab.client(), lab.serverAddress(), 2, Duration.ofSeconds(1));
            lab.connectAllowed(CONNECT_TIMEOUT);
            rec.awaitEvent(expected);
            List<PacketEvent> wrong =
                    rec.events().stream().filter(expected.negate()).toList();
            assertTrue(wrong.isEmpty(), "filter " + filter + " let through: " + wrong);
            assertTrue(rec.events().stream().allMatch(filter::matches), "the kernel and Java agree on the filter");
        }
    }

    private static PacketEvent anyEvent(long netns) {
        return new PacketEvent(
                0,
                0,
                0,
                0,
                "",
                netns,
                0,
                "",
                0,
                0,
                0,
                Optional.empty(),
                "net:netif_rx",
                PacketEvent.ProbeKind.TRACEPOINT,
                Optional.empty(),
                Optional.empty(),
                List.of(),
                false);
    }

    private static RecordingSession record(TraceFilter filter, boolean stack) {
        return RecordingSession.start(filter, stack, symbols);
    }
}
