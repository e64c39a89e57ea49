// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.api.v1alpha1.AgentState;
import dev.packettrace.api.v1alpha1.DropGroup;
import dev.packettrace.api.v1alpha1.NodeReport;
import dev.packettrace.api.v1alpha1.NodeStatus;
import dev.packettrace.api.v1alpha1.TargetState;
import dev.packettrace.api.v1alpha1.TargetStatus;
import dev.packettrace.api.v1alpha1.TraceEvent;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NodeReportAggregatorTest {

    static NodeReport report(
            String uid,
            String node,
            AgentState state,
            long events,
            long drops,
            List<DropGroup> groups,
            List<TraceEvent> recent,
            String time) {
        return new NodeReport(
                "web",
                uid,
                node,
                1L,
                state,
                "tracepoint",
                3,
                events,
                1L,
                drops,
                groups,
                recent,
                List.of(new TargetStatus("web-" + node, "uid-" + node, node, 4026532000L, TargetState.Tracing, null)),
                null,
                time);
    }

    static TraceEvent ev(String time, String node) {
        return new TraceEvent(
                time,
                node,
                "web-" + node,
                "skb:kfree_skb",
                "eth0",
                "10.0.0.1:1->10.0.0.2:80/tcp",
                "NETFILTER_DROP",
                "nf_hook_slow+0x9c");
    }

    @Test
    void foldsNodesIntoTotalsGroupsAndVerdict() {
        var a = report(
                "u1",
                "node-a",
                AgentState.Tracing,
                100,
                7,
                List.of(
                        new DropGroup("NETFILTER_DROP", "nf_hook_slow+0x9c", 5L, null),
                        new DropGroup("NO_SOCKET", "tcp_v4_rcv+0x1a0", 2L, null)),
                List.of(ev("2024-01-01T00:00:03Z", "node-a"), ev("2024-01-01T00:00:01Z", "node-a")),
                "2024-01-01T00:00:05Z");
        var b = report(
                "u1",
                "node-b",
                AgentState.Tracing,
                50,
                4,
                List.of(new DropGroup("NETFILTER_DROP", "nf_hook_slow+0x9c", 4L, null)),
                List.of(ev("2024-01-01T00:00:02Z", "node-b")),
                "2024-01-01T00:00:05Z");
        var stale =
                report("old-uid", "node-c", AgentState.Tracing, 999, 999, List.of(), List.of(), "2024-01-01T00:00:05Z");

        var agg = NodeReportAggregator.aggregate("u1", List.of(a, b, stale), Set.of("node-a", "node-b", "node-d"), 2);

        assertEquals(
                List.of("node-a", "node-b", "node-d"),
                agg.nodes().stream().map(NodeStatus::node).toList());
        assertEquals(AgentState.Waiting, agg.nodes().get(2).state());
        assertEquals(150, agg.summary().events());
        assertEquals(11, agg.summary().drops());
        assertEquals(
                new DropGroup("NETFILTER_DROP", "nf_hook_slow+0x9c", 9L, 2),
                agg.summary().dropsByReason().get(0));
        assertEquals(
                new DropGroup("NO_SOCKET", "tcp_v4_rcv+0x1a0", 2L, 1),
                agg.summary().dropsByReason().get(1));
        assertEquals(0, agg.summary().dropsOmitted());
        assertEquals(
                List.of("2024-01-01T00:00:03Z", "2024-01-01T00:00:02Z"),
                agg.recentEvents().stream().map(TraceEvent::time).toList());
        assertEquals(Set.of("uid-node-a", "uid-node-b"), agg.targets().keySet());
        assertEquals(
                "11 drops in 150 events; 9 of them NETFILTER_DROP at nf_hook_slow+0x9c on 2 nodes (first node-a); "
                        + "2 events lost (the agent could not keep up; narrow the filter).",
                agg.summary().verdict());
        assertFalse(agg.allDetached(), "node-d still waits and the others trace");
    }

    @Test
    void dropsFromEveryNodeOutlastNewerEventsThatAreNotDrops() {
        TraceEvent passed = new TraceEvent(
                "2024-01-01T00:00:09Z",
                "node-a",
                "web-node-a",
                "net:netif_receive_skb",
                "eth0",
                "10.0.0.3:1->10.0.0.2:80/tcp",
                null,
                null);
        var a = report(
                "u1",
                "node-a",
                AgentState.Tracing,
                10,
                1,
                List.of(),
                List.of(passed, ev("2024-01-01T00:00:01Z", "node-a")),
                "2024-01-01T00:00:10Z");
        var b = report(
                "u1",
                "node-b",
                AgentState.Tracing,
                10,
                1,
                List.of(),
                List.of(ev("2024-01-01T00:00:02Z", "node-b")),
                "2024-01-01T00:00:10Z");

        var agg = NodeReportAggregator.aggregate("u1", List.of(a, b), Set.of("node-a", "node-b"), 2);

        assertEquals(
                List.of("2024-01-01T00:00:02Z", "2024-01-01T00:00:01Z"),
                agg.recentEvents().stream().map(TraceEvent::time).toList(),
                "both drops kept, the newer passing event left out");
        assertEquals(
                List.of(passed, ev("2024-01-01T00:00:02Z", "node-b")),
                NodeReportAggregator.aggregate("u1", List.of(a, b), Set.of("node-a", "node-b"), 3)
                        .recentEvents()
                        .subList(0, 2),
                "with room to spare, the window is in time order again");
    }

    @Test
    void newestReportOfANodeWins() {
        var older = report("u1", "n", AgentState.Tracing, 10, 0, List.of(), List.of(), "2024-01-01T00:00:01Z");
        var newer = report("u1", "n", AgentState.Detached, 20, 0, List.of(), List.of(), "2024-01-01T00:00:02Z");
        var agg = NodeReportAggregator.aggregate("u1", List.of(newer, older), Set.of(), 10);
        assertEquals(20, agg.summary().events());
        assertTrue(agg.allDetached());
        assertEquals(
                "20 events on 1 node, no drops; 1 event lost (the agent could not keep up; narrow the filter).",
                agg.summary().verdict());
    }

    @Test
    void noReportsYet() {
        var agg = NodeReportAggregator.aggregate("u1", List.of(), Set.of("n1"), 10);
        assertEquals("No node agent has reported yet.", agg.summary().verdict());
        assertFalse(agg.anyTracing());
    }
}
