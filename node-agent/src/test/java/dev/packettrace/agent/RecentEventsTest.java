// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.api.v1alpha1.TraceEvent;
import dev.packettrace.tracer.Tuple;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecentEventsTest {

    static String time(long ns) {
        return "t" + ns;
    }

    @Test
    void keepsTheNewestAndShowsThemNewestFirst() {
        RecentEvents r = new RecentEvents(3);
        for (int i = 1; i <= 5; i++) {
            r.add(Packets.drop(i, 10, 80 + i), "web-" + i);
        }
        List<TraceEvent> out = r.newestFirst("node-a", RecentEventsTest::time, true);
        assertEquals(
                List.of("web-5", "web-4", "web-3"),
                out.stream().map(TraceEvent::pod).toList());
        assertEquals("10.0.0.1:40000->10.0.0.2:85/tcp", out.getFirst().tuple());
        assertEquals("NETFILTER_DROP", out.getFirst().reason());
        assertEquals("nf_hook_slow+0x9c", out.getFirst().location());
        assertEquals("node-a", out.getFirst().node());
        assertEquals("eth0", out.getFirst().ifname());
    }

    @Test
    void earlierEventsFillUpAfterNewerOnesAndTheTupleCanBeLeftOut() {
        RecentEvents r = new RecentEvents(3);
        r.seed(List.of(
                new TraceEvent("old-1", "n", "p", "skb:consume_skb", null, null, null, null),
                new TraceEvent("old-2", "n", "p", "skb:consume_skb", null, null, null, null),
                new TraceEvent("old-3", "n", "p", "skb:consume_skb", null, null, null, null)));
        r.add(Packets.tcp(1, 10, 80), "");
        List<TraceEvent> out = r.newestFirst("n", RecentEventsTest::time, false);
        assertEquals(3, out.size());
        assertNull(out.getFirst().pod(), "an event outside the targets' namespaces has no pod");
        assertNull(out.getFirst().tuple(), "spec.output.tuple false");
        assertEquals(
                List.of("old-1", "old-2"),
                out.subList(1, 3).stream().map(TraceEvent::time).toList());
    }

    @Test
    void aBusyFlowDoesNotPushTheDropsOutAndTheWindowStaysInTimeOrder() {
        RecentEvents r = new RecentEvents(3);
        r.add(Packets.drop(1, 10, 81), "refused");
        r.add(Packets.tcp(2, 10, 82), "allowed");
        r.add(Packets.drop(3, 10, 83), "refused");
        for (int i = 0; i < 100; i++) {
            r.add(Packets.tcp(4, 10, 84), "allowed");
        }
        List<TraceEvent> out = r.newestFirst("n", RecentEventsTest::time, true);
        assertEquals(
                List.of("allowed", "refused", "refused"),
                out.stream().map(TraceEvent::pod).toList(),
                "the two drops stay; the room they leave holds the newest other event");
        assertEquals(
                List.of("10.0.0.1:40000->10.0.0.2:83/tcp", "10.0.0.1:40000->10.0.0.2:81/tcp"),
                out.subList(1, 3).stream().map(TraceEvent::tuple).toList());
        long newest = Long.parseLong(out.getFirst().time().substring(1));
        long drop = Long.parseLong(out.get(1).time().substring(1));
        assertTrue(newest > drop, "newest first across both windows");
    }

    @Test
    void dropsFromBeforeARestartOutlastNewerEventsThatAreNotDrops() {
        RecentEvents r = new RecentEvents(2);
        r.seed(List.of(
                new TraceEvent("old-1", "n", "p", "skb:kfree_skb", null, null, "NO_SOCKET", null),
                new TraceEvent("old-2", "n", "p", "skb:kfree_skb", null, null, "NO_SOCKET", null)));
        r.add(Packets.tcp(1, 10, 80), "p");
        assertEquals(
                List.of("old-1", "old-2"),
                r.newestFirst("n", RecentEventsTest::time, true).stream()
                        .map(TraceEvent::time)
                        .toList());
    }

    @Test
    void onlyANewerDropPushesADropOut() {
        RecentEvents r = new RecentEvents(2);
        for (int port = 1; port <= 4; port++) {
            r.add(Packets.drop(port, 10, port), "p");
        }
        assertEquals(
                List.of("10.0.0.1:40000->10.0.0.2:4/tcp", "10.0.0.1:40000->10.0.0.2:3/tcp"),
                r.newestFirst("n", RecentEventsTest::time, true).stream()
                        .map(TraceEvent::tuple)
                        .toList());
    }

    @Test
    void zeroKeepsNothing() {
        RecentEvents r = new RecentEvents(0);
        r.add(Packets.tcp(1, 10, 80), "p");
        assertEquals(List.of(), r.newestFirst("n", RecentEventsTest::time, true));
    }

    @Test
    void tuplesReadLikeAddressesAreWritten() {
        assertEquals(
                "[fd00::1]:53->[fd00::2]:5353/udp",
                RecentEvents.tuple(new Tuple(Packets.ip("fd00::1"), Packets.ip("fd00::2"), 53, 5353, 17)));
        assertEquals(
                "10.0.0.1->10.0.0.2/icmp",
                RecentEvents.tuple(new Tuple(Packets.ip("10.0.0.1"), Packets.ip("10.0.0.2"), 0, 0, 1)));
    }
}
