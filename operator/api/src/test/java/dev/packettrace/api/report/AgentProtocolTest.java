// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.report;

import static org.junit.jupiter.api.Assertions.*;

import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.api.v1alpha1.PacketTraceSpec;
import dev.packettrace.api.v1alpha1.PacketTraceStatus;
import dev.packettrace.api.v1alpha1.Summary;
import dev.packettrace.api.v1alpha1.TargetSpec;
import dev.packettrace.api.v1alpha1.TargetState;
import dev.packettrace.api.v1alpha1.TargetStatus;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class AgentProtocolTest {

    static PacketTrace trace(PacketTraceStatus.Phase phase, boolean admitted, int omitted) {
        PacketTrace t = PacketTrace.of(
                "ns", "t", new PacketTraceSpec(new TargetSpec(null, List.of("a")), null, null, null, null, null));
        t.setStatus(new PacketTraceStatus(
                phase,
                1L,
                List.of(),
                null,
                null,
                admitted ? new PacketTraceStatus.Limits("5m", 100L, null) : null,
                2,
                2,
                List.of(
                        new TargetStatus("a", "u1", "n1", null, TargetState.Scheduled, null),
                        new TargetStatus("b", "u2", "n2", null, TargetState.Scheduled, null),
                        new TargetStatus("c", "u3", "n1", null, TargetState.Gone, null),
                        new TargetStatus("d", null, null, null, TargetState.Pending, null)),
                omitted,
                List.of(),
                0,
                Summary.empty(),
                List.of()));
        return t;
    }

    @Test
    void tracesWhileAdmittedAndNotEnded() {
        assertTrue(AgentProtocol.shouldTrace(trace(PacketTraceStatus.Phase.Pending, true, 0)));
        assertTrue(AgentProtocol.shouldTrace(trace(PacketTraceStatus.Phase.Running, true, 0)));
        assertFalse(AgentProtocol.shouldTrace(trace(PacketTraceStatus.Phase.Completed, true, 0)));
        assertFalse(AgentProtocol.shouldTrace(trace(PacketTraceStatus.Phase.Failed, false, 0)));
        assertFalse(AgentProtocol.shouldTrace(trace(PacketTraceStatus.Phase.Pending, false, 0)), "not yet admitted");
        PacketTrace deleting = trace(PacketTraceStatus.Phase.Running, true, 0);
        deleting.getMetadata().setDeletionTimestamp("2024-01-01T00:00:00Z");
        assertFalse(AgentProtocol.shouldTrace(deleting));
        PacketTrace fresh = PacketTrace.of("ns", "t", null);
        assertFalse(AgentProtocol.shouldTrace(fresh));
    }

    @Test
    void targetsOnANodeAreTheLiveOnesThere() {
        PacketTrace t = trace(PacketTraceStatus.Phase.Running, true, 0);
        assertEquals(
                List.of("a"),
                AgentProtocol.targetsOn(t, "n1").stream().map(TargetStatus::pod).toList());
        assertTrue(AgentProtocol.targetListComplete(t));
        assertFalse(AgentProtocol.targetListComplete(trace(PacketTraceStatus.Phase.Running, true, 3)));
        assertEquals(OptionalLong.of(100), AgentProtocol.maxEvents(t));
    }
}
