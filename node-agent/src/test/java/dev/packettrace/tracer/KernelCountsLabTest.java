// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.kernel.KernelSymbols;
import dev.packettrace.lab.DemoLab;
import dev.packettrace.lab.LabNamespace;
import dev.packettrace.lab.NetLab;
import dev.packettrace.testing.Privileged;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The kernel's counts (bpf/include/counts.h) against real traffic: they equal the streamed events where every
 * hit is streamed, a summary-only trace counts exactly the drops the iptables rule counted, a drops-only trace
 * streams only drops, and the per-second budget bounds the events while every refused hit is counted.
 */
@Tag("privileged")
class KernelCountsLabTest {

    private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(300);
    private static final Duration QUIET_DEADLINE = Duration.ofSeconds(10);
    private static AddressSymbolizer symbols;

    @BeforeAll
    static void symbols() {
        Privileged.requireRoot();
        symbols = KernelSymbols.load()::symbolize;
    }

    @Test
    void whereEveryHitIsStreamedTheCountsEqualTheEvents() {
        try (DemoLab lab = DemoLab.start()) {
            List<PacketEvent> events = new CopyOnWriteArrayList<>();
            try (TracerSession session = start(lab, new EventStream(EventStream.Events.ALL, 0, true), events)) {
                assertTrue(lab.connectAllowed(CONNECT_TIMEOUT), "TCP to the allowed port connects");
                assertFalse(lab.connectBlocked(CONNECT_TIMEOUT), "the DROP rule blocks port " + lab.blockedPort());
                KernelCounts counts = quiesce(session);
                TraceStats stats = session.stats();

                assertEquals(0, stats.lost(), "nothing lost in an 8 MiB ring buffer");
                assertEquals(events.size(), counts.matched(), "every matched hit was streamed");
                assertEquals(0, counts.uncounted());
                assertEquals(
                        tally(events, e -> e.netns() + " " + e.probe()),
                        counts.hits().stream()
                                .collect(Collectors.toMap(h -> h.netns() + " " + h.probe(), KernelCounts.Hits::count)),
                        "hits per (namespace, probe)");
                assertEquals(
                        tally(events.stream().filter(PacketEvent::isDrop).toList(), KernelCountsLabTest::dropKey),
                        counts.drops().stream()
                                .collect(Collectors.toMap(KernelCountsLabTest::dropKey, KernelCounts.Drop::count)),
                        "drops per (namespace, reason, location)");
                assertTrue(
                        counts.drops().stream()
                                .anyMatch(d -> d.reason().equals("NETFILTER_DROP")
                                        && d.netns() == lab.server().inode()),
                        "the firewall's drop is among them: " + counts.drops());
            }
        }
    }

    @Test
    void aSummaryOnlyTraceCountsEveryDropTheFirewallCountedAndStreamsNothing() {
        try (DemoLab lab = DemoLab.start()) {
            List<PacketEvent> events = new CopyOnWriteArrayList<>();
            try (TracerSession session = start(lab, EventStream.of(EventStream.Events.NONE, 0), events)) {
                for (int i = 0; i < 3; i++) {
                    assertFalse(lab.connectBlocked(CONNECT_TIMEOUT), "the DROP rule blocks port " + lab.blockedPort());
                }
                KernelCounts counts = quiesce(session);
                long firewall = lab.droppedPackets();

                long counted = counts.drops().stream()
                        .filter(d -> d.reason().equals("NETFILTER_DROP")
                                && d.netns() == lab.server().inode())
                        .mapToLong(KernelCounts.Drop::count)
                        .sum();
                assertTrue(firewall >= 3, "the rule dropped the three SYNs at least: " + firewall);
                assertEquals(firewall, counted, "NETFILTER_DROP in the server's namespace: " + counts.drops());
                assertTrue(counts.matched() > counted, "the other hits are counted too: " + counts.matched());
                assertEquals(0, session.emittedByKernel(), "no event left the kernel");
                assertTrue(events.isEmpty(), "no event was delivered: " + events);
            }
        }
    }

    @Test
    void aDropsOnlyTraceStreamsTheDropsAndCountsTheRest() {
        try (DemoLab lab = DemoLab.start()) {
            List<PacketEvent> events = new CopyOnWriteArrayList<>();
            try (TracerSession session = start(lab, EventStream.of(EventStream.Events.DROPS, 0), events)) {
                assertTrue(lab.connectAllowed(CONNECT_TIMEOUT), "TCP to the allowed port connects");
                assertFalse(lab.connectBlocked(CONNECT_TIMEOUT), "the DROP rule blocks port " + lab.blockedPort());
                KernelCounts counts = quiesce(session);

                assertFalse(events.isEmpty(), "the drops were streamed");
                assertTrue(events.stream().allMatch(PacketEvent::isDrop), "only drops were streamed: " + events);
                assertEquals(counts.dropCount(), events.size(), "every counted drop was streamed");
                assertTrue(
                        counts.matched() > events.size(), "the allowed connection's hits were counted, not streamed");
            }
        }
    }

    @Test
    void theEventBudgetBoundsTheEventsASecondAndCountsWhatItRefused() {
        int budget = 50;
        try (NetLab lab = NetLab.create()) {
            LabNamespace ns = lab.addNamespace("budget");
            List<PacketEvent> events = new CopyOnWriteArrayList<>();
            TracerConfig config = new TracerConfig(
                            TraceFilter.all().withNetns(Set.of(ns.inode())),
                            Backend.TRACEPOINT,
                            false,
                            TracerConfig.DEFAULT_RING_BUFFER_BYTES)
                    .withStream(EventStream.of(EventStream.Events.ALL, budget));
            try (TracerSession session = TracerSession.start(config, events::add, symbols)) {
                long started = System.nanoTime();
                // a few hundred pings on loopback, each a dozen hits, within a fraction of a second
                lab.exec(ns, List.of("ping", "-n", "-q", "-i", "0", "-c", "300", "127.0.0.1"), Duration.ofSeconds(30))
                        .requireSuccess();
                KernelCounts counts = quiesce(session);
                double seconds = (System.nanoTime() - started) / 1e9;
                TraceStats stats = session.stats();

                assertEquals(
                        counts.matched(),
                        stats.events() + stats.lost() + stats.overBudget(),
                        "every matched hit was streamed, lost or refused by the budget: " + stats);
                assertTrue(
                        stats.overBudget() > 0, "the budget refused some: " + stats + ", matched " + counts.matched());
                // each one-second window the run touched streams at most the budget
                long windows = (long) Math.ceil(seconds) + 1;
                assertTrue(events.size() <= budget * windows, events.size() + " events in " + seconds + " s");
                assertEquals(counts.overBudget(), stats.overBudget());
            }
        }
    }

    private static TracerSession start(DemoLab lab, EventStream stream, List<PacketEvent> sink) {
        TraceFilter both = TraceFilter.all()
                .withNetns(Set.of(lab.client().inode(), lab.server().inode()));
        TracerConfig config = new TracerConfig(both, Backend.TRACEPOINT, false, TracerConfig.DEFAULT_RING_BUFFER_BYTES)
                .withStream(stream);
        return TracerSession.start(config, sink::add, symbols);
    }

    /**
     * Stops matching (an empty namespace set), then delivers what is still in the ring buffer until the kernel has
     * written no event that was not delivered; the counts read then cover exactly the delivered events.
     */
    private static KernelCounts quiesce(TracerSession session) {
        session.setNetns(Set.of());
        long end = System.nanoTime() + QUIET_DEADLINE.toNanos();
        while (session.stats().events() < session.emittedByKernel()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("the ring buffer did not drain: " + session.stats() + " of "
                        + session.emittedByKernel() + " written");
            }
            session.poll(Duration.ofMillis(100));
        }
        return session.kernelCounts().orElseThrow();
    }

    private static String dropKey(PacketEvent e) {
        return e.netns() + " " + e.dropReason().orElseThrow() + " "
                + e.location().orElse("-");
    }

    private static String dropKey(KernelCounts.Drop d) {
        return d.netns() + " " + d.reason() + " " + d.location().orElse("-");
    }

    private static Map<String, Long> tally(List<PacketEvent> events, Function<PacketEvent, String> key) {
        return events.stream().collect(Collectors.groupingBy(key, Collectors.counting()));
    }
}
