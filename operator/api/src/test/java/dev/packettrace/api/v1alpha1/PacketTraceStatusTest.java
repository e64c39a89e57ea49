// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.v1alpha1;

import static org.junit.jupiter.api.Assertions.*;

import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class PacketTraceStatusTest {

    static final PacketTraceStatus FULL = new PacketTraceStatus(
            PacketTraceStatus.Phase.Running,
            3L,
            List.of(new ConditionBuilder()
                    .withType("Running")
                    .withStatus("True")
                    .build()),
            "2024-01-01T00:00:00Z",
            null,
            new PacketTraceStatus.Limits("5m", 100L, null),
            2,
            1,
            List.of(new TargetStatus("a", "u1", "n1", null, TargetState.Tracing, null)),
            1,
            List.of(new NodeStatus("n1", AgentState.Tracing, "tracepoint", 2, 5L, 0L, 0L, null, null)),
            0,
            new Summary(5L, 0L, 0L, List.of(), 0L, "ok"),
            List.of(new TraceEvent("2024-01-01T00:00:01Z", "n1", "a", "p", "eth0", "t", null, null)));

    @Test
    void eachWitherChangesOnlyItsPart() {
        PacketTraceStatus s = FULL;
        assertEquals(
                new PacketTraceStatus(
                        PacketTraceStatus.Phase.Failed,
                        4L,
                        List.of(),
                        s.startTime(),
                        "2024-01-01T00:05:00Z",
                        new PacketTraceStatus.Limits("1m", 1L, "x"),
                        s.targetCount(),
                        7,
                        List.of(),
                        2,
                        List.of(),
                        3,
                        Summary.empty(),
                        List.of()),
                s.withPhase(PacketTraceStatus.Phase.Failed)
                        .withObservedGeneration(4L)
                        .withConditions(List.of())
                        .withCompletionTime("2024-01-01T00:05:00Z")
                        .withLimits(new PacketTraceStatus.Limits("1m", 1L, "x"))
                        .withNodeCount(7)
                        .withTargets(List.of(), 2)
                        .withNodes(List.of(), 3)
                        .withSummary(Summary.empty())
                        .withRecentEvents(List.of()));
        assertEquals(
                s,
                s.withPhase(s.phase())
                        .withObservedGeneration(s.observedGeneration())
                        .withConditions(s.conditions())
                        .withCompletionTime(s.completionTime())
                        .withLimits(s.limits())
                        .withNodeCount(s.nodeCount())
                        .withTargets(s.targets(), s.targetsOmitted())
                        .withNodes(s.nodes(), s.nodesOmitted())
                        .withSummary(s.summary())
                        .withRecentEvents(s.recentEvents()));
    }

    @Test
    void withersAreNotJsonProperties() {
        String json = new io.fabric8.kubernetes.client.utils.KubernetesSerialization().asJson(FULL);
        assertEquals(
                FULL,
                new io.fabric8.kubernetes.client.utils.KubernetesSerialization()
                        .unmarshal(json, PacketTraceStatus.class));
    }
}
