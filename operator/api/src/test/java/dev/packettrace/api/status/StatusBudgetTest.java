// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.api.report.NodeReportAggregator;
import dev.packettrace.api.v1alpha1.AgentState;
import dev.packettrace.api.v1alpha1.DropGroup;
import dev.packettrace.api.v1alpha1.NodeReport;
import dev.packettrace.api.v1alpha1.PacketTraceStatus;
import dev.packettrace.api.v1alpha1.TargetState;
import dev.packettrace.api.v1alpha1.TargetStatus;
import dev.packettrace.api.v1alpha1.TraceEvent;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class StatusBudgetTest {

    static final String LONG = "x".repeat(600);

    /** A node report as a hostile or buggy agent could send it: thousands of entries, huge strings. */
    static NodeReport floodReport(String uid, int node) {
        String nodeName = "node-" + node + "-" + "n".repeat(240);
        List<DropGroup> drops = IntStream.range(0, 300)
                .mapToObj(i -> new DropGroup("REASON_" + i + LONG, "fn_" + i + "+0x1f" + LONG, 1000L - i, null))
                .toList();
        List<TraceEvent> events = IntStream.range(0, 300)
                .mapToObj(i -> new TraceEvent(
                        Instant.ofEpochSecond(1_700_000_000L + i).toString(),
                        nodeName,
                        "pod-" + LONG,
                        "skb:kfree_skb" + LONG,
                        "eth0" + LONG,
                        "10.0.0.1:1->10.0.0.2:2/tcp" + LONG,
                        "NETFILTER_DROP",
                        "nf_hook_slow" + LONG))
                .toList();
        List<TargetStatus> targets = IntStream.range(0, 300)
                .mapToObj(i -> new TargetStatus(
                        "pod-" + i + "-" + "p".repeat(240),
                        "uid-" + node + "-" + i,
                        nodeName,
                        4026531840L + i,
                        TargetState.Tracing,
                        LONG))
                .toList();
        return new NodeReport(
                "trace",
                uid,
                nodeName,
                1L,
                AgentState.Tracing,
                "tracepoint",
                3,
                1_000_000L,
                5L,
                2_000_000L,
                drops,
                events,
                targets,
                LONG,
                Instant.ofEpochSecond(1_700_000_000L).toString());
    }

    @Test
    void floodedStatusStaysFarBelow100KiB() {
        List<NodeReport> reports =
                IntStream.range(0, 100).mapToObj(n -> floodReport("u1", n)).toList();
        var agg = NodeReportAggregator.aggregate("u1", reports, Set.of(), 25);
        List<TargetStatus> targets =
                reports.stream().flatMap(r -> r.targets().stream()).toList();
        PacketTraceStatus huge = new PacketTraceStatus(
                PacketTraceStatus.Phase.Running,
                1L,
                IntStream.range(0, 30)
                        .mapToObj(i -> new ConditionBuilder()
                                .withType("T" + i + LONG)
                                .withStatus("True")
                                .withReason("R" + LONG)
                                .withMessage(LONG)
                                .build())
                        .toList(),
                "2024-01-01T00:00:00Z",
                null,
                new PacketTraceStatus.Limits("5m", 10L, LONG),
                targets.size(),
                agg.nodes().size(),
                targets,
                0,
                agg.nodes(),
                0,
                agg.summary(),
                agg.recentEvents());
        assertTrue(StatusBudget.serializedSize(huge) > 1_000_000, "the unbounded input really is a flood");

        PacketTraceStatus fitted = StatusBudget.fit(huge);
        int size = StatusBudget.serializedSize(fitted);
        assertTrue(size <= StatusLimits.STATUS_BUDGET_BYTES, "status is " + size + " bytes");
        assertTrue(size < 100 * 1024);
        // what was cut is counted, not silently lost
        assertEquals(targets.size(), fitted.targets().size() + fitted.targetsOmitted());
        assertEquals(agg.nodes().size(), fitted.nodes().size() + fitted.nodesOmitted());
        assertEquals(2_000_000L * 100, fitted.summary().drops());
        long shownDrops = fitted.summary().dropsByReason().stream()
                .mapToLong(DropGroup::count)
                .sum();
        assertEquals(fitted.summary().drops(), shownDrops + fitted.summary().dropsOmitted());
        assertEquals(1_000_000L * 100, fitted.summary().events(), "totals survive trimming");
        assertTrue(fitted.conditions().size() <= StatusLimits.MAX_CONDITIONS);
    }

    @Test
    void smallStatusIsLeftWhole() {
        var agg = NodeReportAggregator.aggregate(
                "u1",
                List.of(new NodeReport(
                        "t",
                        "u1",
                        "n1",
                        1L,
                        AgentState.Tracing,
                        "tracepoint",
                        2,
                        10L,
                        0L,
                        1L,
                        List.of(new DropGroup("NETFILTER_DROP", "nf_hook_slow+0x9c", 1L, null)),
                        List.of(),
                        List.of(),
                        null,
                        "2024-01-01T00:00:00Z")),
                Set.of("n1"),
                10);
        PacketTraceStatus s = new PacketTraceStatus(
                PacketTraceStatus.Phase.Running,
                1L,
                List.of(),
                null,
                null,
                null,
                1,
                1,
                List.of(new TargetStatus("web", "u", "n1", 1L, TargetState.Tracing, null)),
                0,
                agg.nodes(),
                0,
                agg.summary(),
                List.of());
        assertEquals(s, StatusBudget.fit(s));
    }

    @Test
    void floodedNodeReportFitsItsBudget() {
        NodeReport fitted = StatusBudget.fit(floodReport("u1", 1));
        int size = StatusBudget.serializedSize(fitted);
        assertTrue(size <= StatusLimits.REPORT_BUDGET_BYTES, "report is " + size + " bytes");
        assertEquals(2_000_000L, fitted.drops(), "counters are never trimmed");
        assertTrue(fitted.node().length() <= StatusLimits.MAX_NAME);
    }
}
