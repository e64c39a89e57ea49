// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.packettrace.api.v1alpha1.AgentState;
import dev.packettrace.api.v1alpha1.DropGroup;
import dev.packettrace.api.v1alpha1.NodeReport;
import java.util.List;
import org.junit.jupiter.api.Test;

class TraceTallyTest {

    @Test
    void groupsDropsByReasonAndLocationLargestFirst() {
        TraceTally t = new TraceTally(8);
        t.record(Packets.tcp(1, 10, 80));
        t.record(Packets.drop(2, 10, 80, "NO_SOCKET", "tcp_v4_rcv+0x1"));
        t.record(Packets.drop(3, 10, 80, "NETFILTER_DROP", "nf_hook_slow+0x9c"));
        t.record(Packets.drop(4, 10, 80, "NETFILTER_DROP", "nf_hook_slow+0x9c"));
        assertEquals(4, t.events());
        assertEquals(3, t.drops());
        assertEquals(
                List.of(
                        new DropGroup("NETFILTER_DROP", "nf_hook_slow+0x9c", 2L, null),
                        new DropGroup("NO_SOCKET", "tcp_v4_rcv+0x1", 1L, null)),
                t.largestGroups(10));
        assertEquals(1, t.largestGroups(1).size());
    }

    @Test
    void aFloodOfDistinctLocationsIsCountedButNotKeptOneByOne() {
        TraceTally t = new TraceTally(4);
        for (int i = 0; i < 1000; i++) {
            t.record(Packets.drop(i, 10, 80, "NETFILTER_DROP", "f" + i + "+0x1"));
        }
        assertEquals(4, t.groupCount(), "memory stays bounded");
        assertEquals(1000, t.drops(), "every drop is still counted");
        assertEquals(
                4, t.largestGroups(100).stream().mapToLong(DropGroup::count).sum());
    }

    @Test
    void continuesFromAnEarlierReport() {
        TraceTally t = new TraceTally(8);
        t.seed(new NodeReport(
                "t",
                "uid",
                "n",
                1L,
                AgentState.Tracing,
                "tracepoint",
                3,
                10L,
                0L,
                4L,
                List.of(
                        new DropGroup("NETFILTER_DROP", "nf_hook_slow+0x9c", 3L, null),
                        new DropGroup("NO_SOCKET", null, 1L, null)),
                List.of(),
                List.of(),
                null,
                null));
        t.record(Packets.drop(1, 10, 80));
        assertEquals(11, t.events());
        assertEquals(5, t.drops());
        assertEquals(
                List.of(
                        new DropGroup("NETFILTER_DROP", "nf_hook_slow+0x9c", 4L, null),
                        new DropGroup("NO_SOCKET", null, 1L, null)),
                t.largestGroups(10));
    }

    @Test
    void needsRoomForOneGroup() {
        assertThrows(IllegalArgumentException.class, () -> new TraceTally(0));
    }
}
