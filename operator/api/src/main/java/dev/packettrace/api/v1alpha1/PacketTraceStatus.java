// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/**
 * What the operator observed. Written only by the operator; node agents report through their own
 * PacketTraceReport objects, which the operator folds in here. Every list is bounded
 * ({@code dev.packettrace.api.status.StatusLimits}) so the object stays far below etcd's limit
 * whatever the traffic.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record PacketTraceStatus(
        @JsonPropertyDescription("Pending, Running, Completed or Failed.")
        Phase phase,

        @JsonPropertyDescription("The metadata.generation this status was computed from.")
        Long observedGeneration,

        @JsonPropertyDescription("Standard conditions: Accepted, Scheduled, Running, Completed, Failed.")
        List<Condition> conditions,

        @JsonPropertyDescription("When the first node agent attached (RFC 3339); the duration counts from here.")
        String startTime,

        @JsonPropertyDescription("When the trace ended (RFC 3339).")
        String completionTime,

        @JsonPropertyDescription("The duration and event budget in force after the operator's caps.")
        Limits limits,

        @JsonPropertyDescription("How many pods are targets (the list may be shortened).")
        Integer targetCount,

        @JsonPropertyDescription("How many nodes host targets (the list may be shortened).")
        Integer nodeCount,

        List<TargetStatus> targets,

        @JsonPropertyDescription("Targets left out of the list to keep the status small.")
        Integer targetsOmitted,

        List<NodeStatus> nodes,

        @JsonPropertyDescription("Nodes left out of the list to keep the status small.")
        Integer nodesOmitted,

        Summary summary,

        @JsonPropertyDescription(
                "The most recent events over all nodes, newest first, drops kept before other events (bounded by spec.output.recentEvents).")
        List<TraceEvent> recentEvents) {

    public PacketTraceStatus {
        conditions = conditions == null ? List.of() : List.copyOf(conditions);
        targets = targets == null ? List.of() : List.copyOf(targets);
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
        recentEvents = recentEvents == null ? List.of() : List.copyOf(recentEvents);
    }

    public static PacketTraceStatus empty() {
        return new PacketTraceStatus(
                Phase.Pending,
                null,
                List.of(),
                null,
                null,
                null,
                0,
                0,
                List.of(),
                0,
                List.of(),
                0,
                Summary.empty(),
                List.of());
    }

    // Copies with one part changed, so that code changing a part does not restate the other thirteen
    // (and cannot swap two of them by position). They take arguments, so Jackson does not see them
    // as properties and the CRD schema stays as it is.

    public PacketTraceStatus withPhase(Phase phase) {
        return new PacketTraceStatus(
                phase,
                observedGeneration,
                conditions,
                startTime,
                completionTime,
                limits,
                targetCount,
                nodeCount,
                targets,
                targetsOmitted,
                nodes,
                nodesOmitted,
                summary,
                recentEvents);
    }

    public PacketTraceStatus withObservedGeneration(Long observedGeneration) {
        return new PacketTraceStatus(
                phase,
                observedGeneration,
                conditions,
                startTime,
                completionTime,
                limits,
                targetCount,
                nodeCount,
                targets,
                targetsOmitted,
                nodes,
                nodesOmitted,
                summary,
                recentEvents);
    }

    public PacketTraceStatus withConditions(List<Condition> conditions) {
        return new PacketTraceStatus(
                phase,
                observedGeneration,
                conditions,
                startTime,
                completionTime,
                limits,
                targetCount,
                nodeCount,
                targets,
                targetsOmitted,
                nodes,
                nodesOmitted,
                summary,
                recentEvents);
    }

    public PacketTraceStatus withCompletionTime(String completionTime) {
        return new PacketTraceStatus(
                phase,
                observedGeneration,
                conditions,
                startTime,
                completionTime,
                limits,
                targetCount,
                nodeCount,
                targets,
                targetsOmitted,
                nodes,
                nodesOmitted,
                summary,
                recentEvents);
    }

    public PacketTraceStatus withLimits(Limits limits) {
        return new PacketTraceStatus(
                phase,
                observedGeneration,
                conditions,
                startTime,
                completionTime,
                limits,
                targetCount,
                nodeCount,
                targets,
                targetsOmitted,
                nodes,
                nodesOmitted,
                summary,
                recentEvents);
    }

    public PacketTraceStatus withNodeCount(int nodeCount) {
        return new PacketTraceStatus(
                phase,
                observedGeneration,
                conditions,
                startTime,
                completionTime,
                limits,
                targetCount,
                nodeCount,
                targets,
                targetsOmitted,
                nodes,
                nodesOmitted,
                summary,
                recentEvents);
    }

    /** The list and its omitted count change together: whatever shortens the list must count what it left out. */
    public PacketTraceStatus withTargets(List<TargetStatus> targets, int targetsOmitted) {
        return new PacketTraceStatus(
                phase,
                observedGeneration,
                conditions,
                startTime,
                completionTime,
                limits,
                targetCount,
                nodeCount,
                targets,
                targetsOmitted,
                nodes,
                nodesOmitted,
                summary,
                recentEvents);
    }

    /** As {@link #withTargets}: the list and its omitted count change together. */
    public PacketTraceStatus withNodes(List<NodeStatus> nodes, int nodesOmitted) {
        return new PacketTraceStatus(
                phase,
                observedGeneration,
                conditions,
                startTime,
                completionTime,
                limits,
                targetCount,
                nodeCount,
                targets,
                targetsOmitted,
                nodes,
                nodesOmitted,
                summary,
                recentEvents);
    }

    public PacketTraceStatus withSummary(Summary summary) {
        return new PacketTraceStatus(
                phase,
                observedGeneration,
                conditions,
                startTime,
                completionTime,
                limits,
                targetCount,
                nodeCount,
                targets,
                targetsOmitted,
                nodes,
                nodesOmitted,
                summary,
                recentEvents);
    }

    public PacketTraceStatus withRecentEvents(List<TraceEvent> recentEvents) {
        return new PacketTraceStatus(
                phase,
                observedGeneration,
                conditions,
                startTime,
                completionTime,
                limits,
                targetCount,
                nodeCount,
                targets,
                targetsOmitted,
                nodes,
                nodesOmitted,
                summary,
                recentEvents);
    }

    /** The phase, Pending when the operator has not written one yet. */
    public Phase phaseOrPending() {
        return phase == null ? Phase.Pending : phase;
    }

    public enum Phase {
        Pending,
        Running,
        Completed,
        Failed;

        public boolean isTerminal() {
            return this == Completed || this == Failed;
        }
    }

    /**
     * @param duration  the effective duration (Go syntax)
     * @param maxEvents the effective event budget
     * @param adjusted  what the operator changed and why, e.g. "duration clamped from 48h to 1h (operator maxDuration)"
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Limits(String duration, Long maxEvents, String adjusted) {}
}
