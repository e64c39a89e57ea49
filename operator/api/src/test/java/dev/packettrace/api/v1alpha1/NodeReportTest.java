// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.v1alpha1;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class NodeReportTest {

    static final NodeReport FULL = new NodeReport(
            "t",
            "uid",
            "n1",
            2L,
            AgentState.Tracing,
            "tracepoint",
            17,
            40L,
            1L,
            3L,
            List.of(new DropGroup("NETFILTER_DROP", "nft_do_chain+0x46f", 3L, null)),
            List.of(new TraceEvent("2024-01-01T00:00:01Z", "n1", "a", "p", "eth0", "t", "NETFILTER_DROP", null)),
            List.of(new TargetStatus("a", "u1", "n1", null, TargetState.Tracing, null)),
            "ok",
            "2024-01-01T00:00:02Z");

    @Test
    void eachWitherChangesOnlyItsList() {
        NodeReport r = FULL;
        assertEquals(
                new NodeReport(
                        r.traceName(),
                        r.traceUid(),
                        r.node(),
                        r.traceGeneration(),
                        r.state(),
                        r.backend(),
                        r.probesAttached(),
                        r.events(),
                        r.lost(),
                        r.drops(),
                        List.of(),
                        r.recentEvents(),
                        r.targets(),
                        r.message(),
                        r.reportTime()),
                r.withDropsByReason(List.of()));
        assertEquals(
                new NodeReport(
                        r.traceName(),
                        r.traceUid(),
                        r.node(),
                        r.traceGeneration(),
                        r.state(),
                        r.backend(),
                        r.probesAttached(),
                        r.events(),
                        r.lost(),
                        r.drops(),
                        r.dropsByReason(),
                        List.of(),
                        r.targets(),
                        r.message(),
                        r.reportTime()),
                r.withRecentEvents(List.of()));
        assertEquals(
                new NodeReport(
                        r.traceName(),
                        r.traceUid(),
                        r.node(),
                        r.traceGeneration(),
                        r.state(),
                        r.backend(),
                        r.probesAttached(),
                        r.events(),
                        r.lost(),
                        r.drops(),
                        r.dropsByReason(),
                        r.recentEvents(),
                        List.of(),
                        r.message(),
                        r.reportTime()),
                r.withTargets(List.of()));
    }
}
