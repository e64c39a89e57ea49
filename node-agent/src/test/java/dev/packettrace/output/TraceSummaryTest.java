// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.tracer.KernelCounts;
import dev.packettrace.tracer.TraceStats;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TraceSummaryTest {

    private static TraceSummary.Report report(TraceSummary s) {
        return s.report(s.events(), new TraceStats(s.events(), 0), StopReason.REQUESTED, Duration.ZERO);
    }

    @Test
    void groupsDropsByReasonAndLocationLargestFirst() {
        TraceSummary s = new TraceSummary();
        for (int i = 0; i < 3; i++) {
            s.record(SampleEvents.drop("NO_SOCKET", Optional.of("tcp_v4_rcv+0x10"), 1));
        }
        s.record(SampleEvents.drop("NO_SOCKET", Optional.of("udp_rcv+0x20"), 1));
        s.record(SampleEvents.drop("NETFILTER_DROP", Optional.of("nf_hook_slow+0x9a"), 2));
        s.record(SampleEvents.drop("NETFILTER_DROP", Optional.of("nf_hook_slow+0x9a"), 2));
        s.record(SampleEvents.drop("NOT_SPECIFIED", Optional.empty(), 2));
        s.record(SampleEvents.tcp(1));

        TraceSummary.Report r = report(s);
        assertEquals(8, r.events());
        assertEquals(7, r.drops());
        assertEquals(
                List.of(
                        new TraceSummary.DropGroup("NO_SOCKET", Optional.of("tcp_v4_rcv+0x10"), 3),
                        new TraceSummary.DropGroup("NETFILTER_DROP", Optional.of("nf_hook_slow+0x9a"), 2),
                        new TraceSummary.DropGroup("NOT_SPECIFIED", Optional.empty(), 1),
                        new TraceSummary.DropGroup("NO_SOCKET", Optional.of("udp_rcv+0x20"), 1)),
                r.dropGroups());
        assertEquals(0, r.otherDrops());
    }

    @Test
    void countsEventsPerNetns() {
        TraceSummary s = new TraceSummary();
        s.record(SampleEvents.noTuple(1, 100));
        s.record(SampleEvents.noTuple(2, 100));
        s.record(SampleEvents.noTuple(3, 200));
        s.record(SampleEvents.noTuple(4, 100));

        assertEquals(
                List.of(new TraceSummary.NetnsCount(100, 3), new TraceSummary.NetnsCount(200, 1)),
                report(s).netns());
    }

    @Test
    void groupsBeyondTheCapGoToTheOtherBucket() {
        TraceSummary s = new TraceSummary(2, 2);
        s.record(SampleEvents.drop("A", Optional.empty(), 1));
        s.record(SampleEvents.drop("B", Optional.empty(), 2));
        s.record(SampleEvents.drop("C", Optional.empty(), 3));
        s.record(SampleEvents.drop("D", Optional.empty(), 3));
        s.record(SampleEvents.drop("A", Optional.empty(), 1));

        TraceSummary.Report r = report(s);
        assertEquals(5, r.drops());
        assertEquals(
                List.of(
                        new TraceSummary.DropGroup("A", Optional.empty(), 2),
                        new TraceSummary.DropGroup("B", Optional.empty(), 1)),
                r.dropGroups());
        assertEquals(2, r.otherDrops(), "C and D did not fit");
        assertEquals(List.of(new TraceSummary.NetnsCount(1, 2), new TraceSummary.NetnsCount(2, 1)), r.netns());
        assertEquals(2, r.otherNetnsEvents(), "namespace 3 did not fit");
        long accounted =
                r.dropGroups().stream().mapToLong(TraceSummary.DropGroup::count).sum() + r.otherDrops();
        assertEquals(r.drops(), accounted, "every drop is counted somewhere");
    }

    @Test
    void reportsLossFromTheTracerStats() {
        TraceSummary s = new TraceSummary();
        s.record(SampleEvents.tcp(1));
        TraceSummary.Report r = s.report(1, new TraceStats(1, 42), StopReason.DURATION, Duration.ofSeconds(3));
        assertEquals(42, r.lost());
        assertEquals(StopReason.DURATION, r.stoppedBy());
        assertEquals(Duration.ofSeconds(3), r.elapsed());
    }

    @Test
    void refusesCapsBelowOne() {
        assertThrows(IllegalArgumentException.class, () -> new TraceSummary(0, 5));
    }

    @Test
    void countsEventsPerProbeLargestFirst() {
        TraceSummary s = new TraceSummary();
        s.record(SampleEvents.tcp(1));
        s.record(SampleEvents.tcp(2));
        s.record(SampleEvents.drop("NO_SOCKET", Optional.empty(), 1));
        TraceSummary.Report r = report(s);
        assertEquals(
                List.of(
                        new TraceSummary.ProbeCount(SampleEvents.tcp(1).probe(), 2),
                        new TraceSummary.ProbeCount("skb:kfree_skb", 1)),
                r.probes());
        assertFalse(r.kernelCounted());
    }

    @Test
    void aKernelReportMergesNamespacesIntoDropGroupsAndCountsUnderTheCaps() {
        KernelCounts counts = new KernelCounts(
                100,
                7,
                0,
                List.of(
                        new KernelCounts.Drop(10, "NETFILTER_DROP", Optional.of("nf_hook_slow+0x9a"), 4),
                        new KernelCounts.Drop(11, "NETFILTER_DROP", Optional.of("nf_hook_slow+0x9a"), 5),
                        new KernelCounts.Drop(11, "NO_SOCKET", Optional.empty(), 2),
                        new KernelCounts.Drop(12, "TCP_CSUM", Optional.empty(), 1)),
                List.of(
                        new KernelCounts.Hits(10, "skb:kfree_skb", 4), new KernelCounts.Hits(10, "net:netif_rx", 40),
                        new KernelCounts.Hits(11, "skb:kfree_skb", 7), new KernelCounts.Hits(11, "net:netif_rx", 30),
                        new KernelCounts.Hits(12, "skb:kfree_skb", 1), new KernelCounts.Hits(12, "net:netif_rx", 18)));
        TraceSummary s = new TraceSummary(2, 2);
        s.record(SampleEvents.tcp(1)); // events received are not what a kernel report counts

        TraceSummary.Report r =
                s.report(counts, 3, new TraceStats(3, 1, 7), StopReason.DURATION, Duration.ofSeconds(1));

        assertTrue(r.kernelCounted());
        assertEquals(100, r.events(), "every matched hit");
        assertEquals(3, r.printed());
        assertEquals(1, r.lost());
        assertEquals(7, r.overBudget());
        assertEquals(12, r.drops());
        assertEquals(
                List.of(
                        new TraceSummary.DropGroup("NETFILTER_DROP", Optional.of("nf_hook_slow+0x9a"), 9),
                        new TraceSummary.DropGroup("NO_SOCKET", Optional.empty(), 2)),
                r.dropGroups());
        assertEquals(1, r.otherDrops(), "the third group is beyond the cap of two");
        assertEquals(List.of(new TraceSummary.NetnsCount(10, 44), new TraceSummary.NetnsCount(11, 37)), r.netns());
        assertEquals(19, r.otherNetnsEvents(), "the third namespace is beyond the cap of two");
        assertEquals(
                List.of(
                        new TraceSummary.ProbeCount("net:netif_rx", 88),
                        new TraceSummary.ProbeCount("skb:kfree_skb", 12)),
                r.probes());
    }
}
