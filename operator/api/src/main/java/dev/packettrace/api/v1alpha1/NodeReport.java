// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import java.util.List;

/**
 * What one node agent knows about one trace. Every report is a complete snapshot with cumulative
 * counters, never a delta: the newest report of a node replaces the previous one, so a retried or
 * repeated write can never count anything twice.
 *
 * @param traceGeneration the PacketTrace metadata.generation the agent traced with
 * @param dropsByReason   this node's drop groups, most frequent first
 * @param recentEvents    this node's most recent events, newest first
 * @param targets         the trace's target pods on this node with their resolved network namespaces
 * @param reportTime      when the agent produced this snapshot (RFC 3339)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record NodeReport(
        @Required String traceName,
        @Required String traceUid,
        @Required String node,
        Long traceGeneration,

        @Required @JsonPropertyDescription("Attaching, Tracing, Detached or Failed.")
        AgentState state,

        String backend,
        Integer probesAttached,
        Long events,
        Long lost,
        Long drops,
        List<DropGroup> dropsByReason,
        List<TraceEvent> recentEvents,
        List<TargetStatus> targets,
        String message,
        String reportTime) {

    public NodeReport {
        dropsByReason = dropsByReason == null ? List.of() : List.copyOf(dropsByReason);
        recentEvents = recentEvents == null ? List.of() : List.copyOf(recentEvents);
        targets = targets == null ? List.of() : List.copyOf(targets);
        events = events == null ? 0L : events;
        lost = lost == null ? 0L : lost;
        drops = drops == null ? 0L : drops;
        probesAttached = probesAttached == null ? 0 : probesAttached;
    }

    // with... for what StatusBudget shortens to fit a report into its size budget

    public NodeReport withDropsByReason(List<DropGroup> dropsByReason) {
        return new NodeReport(
                traceName,
                traceUid,
                node,
                traceGeneration,
                state,
                backend,
                probesAttached,
                events,
                lost,
                drops,
                dropsByReason,
                recentEvents,
                targets,
                message,
                reportTime);
    }

    public NodeReport withRecentEvents(List<TraceEvent> recentEvents) {
        return new NodeReport(
                traceName,
                traceUid,
                node,
                traceGeneration,
                state,
                backend,
                probesAttached,
                events,
                lost,
                drops,
                dropsByReason,
                recentEvents,
                targets,
                message,
                reportTime);
    }

    public NodeReport withTargets(List<TargetStatus> targets) {
        return new NodeReport(
                traceName,
                traceUid,
                node,
                traceGeneration,
                state,
                backend,
                probesAttached,
                events,
                lost,
                drops,
                dropsByReason,
                recentEvents,
                targets,
                message,
                reportTime);
    }
}
