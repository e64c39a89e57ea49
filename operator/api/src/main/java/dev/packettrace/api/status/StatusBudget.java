// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.status;

import static dev.packettrace.api.status.StatusLimits.*;

import dev.packettrace.api.v1alpha1.DropGroup;
import dev.packettrace.api.v1alpha1.NodeReport;
import dev.packettrace.api.v1alpha1.NodeStatus;
import dev.packettrace.api.v1alpha1.PacketTraceStatus;
import dev.packettrace.api.v1alpha1.Summary;
import dev.packettrace.api.v1alpha1.TargetStatus;
import dev.packettrace.api.v1alpha1.TraceEvent;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Makes a status or a node report fit its size budget: first every string and list is cut to its
 * limit, then, while the serialized form is still too large, the least important lists are halved
 * (recent events, then targets, nodes, drop groups). What is left out is counted in the *Omitted
 * fields, so shortening is visible and never silent.
 */
public final class StatusBudget {

    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    private StatusBudget() {}

    public static int serializedSize(Object o) {
        return JSON.asJson(o).getBytes(StandardCharsets.UTF_8).length;
    }

    public static PacketTraceStatus fit(PacketTraceStatus s) {
        return fit(s, STATUS_BUDGET_BYTES);
    }

    static PacketTraceStatus fit(PacketTraceStatus s, int budget) {
        PacketTraceStatus b = clipStatus(s);
        while (serializedSize(b) > budget) {
            if (!b.recentEvents().isEmpty()) {
                b = b.withRecentEvents(half(b.recentEvents()));
            } else if (!b.targets().isEmpty()) {
                List<TargetStatus> kept = half(b.targets());
                b = b.withTargets(kept, nz(b.targetsOmitted()) + b.targets().size() - kept.size());
            } else if (!b.nodes().isEmpty()) {
                List<NodeStatus> kept = half(b.nodes());
                b = b.withNodes(kept, nz(b.nodesOmitted()) + b.nodes().size() - kept.size());
            } else if (b.summary() != null && !b.summary().dropsByReason().isEmpty()) {
                b = withDropGroups(b, half(b.summary().dropsByReason()));
            } else {
                break; // only scalars and clipped conditions are left: bounded by construction
            }
        }
        return b;
    }

    /** The agent-side counterpart: keeps one node's report within its budget. */
    public static NodeReport fit(NodeReport r) {
        NodeReport b = new NodeReport(
                clip(r.traceName(), MAX_NAME),
                clip(r.traceUid(), MAX_SHORT),
                clip(r.node(), MAX_NAME),
                r.traceGeneration(),
                r.state(),
                clip(r.backend(), MAX_SHORT),
                r.probesAttached(),
                r.events(),
                r.lost(),
                r.drops(),
                r.dropsByReason().stream()
                        .limit(MAX_REPORT_DROP_GROUPS)
                        .map(StatusBudget::clipDrop)
                        .toList(),
                r.recentEvents().stream()
                        .limit(MAX_RECENT_EVENTS)
                        .map(StatusBudget::clipEvent)
                        .toList(),
                r.targets().stream()
                        .limit(MAX_REPORT_TARGETS)
                        .map(StatusBudget::clipTarget)
                        .toList(),
                clip(r.message(), MAX_MESSAGE),
                clip(r.reportTime(), MAX_SHORT));
        while (serializedSize(b) > REPORT_BUDGET_BYTES) {
            if (!b.recentEvents().isEmpty()) {
                b = b.withRecentEvents(half(b.recentEvents()));
            } else if (!b.dropsByReason().isEmpty()) {
                b = b.withDropsByReason(half(b.dropsByReason()));
            } else if (!b.targets().isEmpty()) {
                b = b.withTargets(half(b.targets()));
            } else {
                break;
            }
        }
        return b;
    }

    private static PacketTraceStatus clipStatus(PacketTraceStatus s) {
        List<TargetStatus> targets = s.targets().stream()
                .limit(MAX_TARGETS)
                .map(StatusBudget::clipTarget)
                .toList();
        List<NodeStatus> nodes =
                s.nodes().stream().limit(MAX_NODES).map(StatusBudget::clipNode).toList();
        Summary sum = s.summary() == null ? Summary.empty() : s.summary();
        List<DropGroup> groups = sum.dropsByReason().stream()
                .limit(MAX_DROP_GROUPS)
                .map(StatusBudget::clipDrop)
                .toList();
        long cutDrops = sum.dropsByReason().stream()
                .skip(MAX_DROP_GROUPS)
                .mapToLong(g -> nz(g.count()))
                .sum();
        Summary clippedSummary = new Summary(
                sum.events(),
                sum.lost(),
                sum.drops(),
                groups,
                nz(sum.dropsOmitted()) + cutDrops,
                clip(sum.verdict(), MAX_VERDICT));
        List<Condition> conditions = s.conditions().stream()
                .limit(MAX_CONDITIONS)
                .map(StatusBudget::clipCondition)
                .toList();
        PacketTraceStatus clipped = s.withConditions(conditions)
                .withTargets(targets, nz(s.targetsOmitted()) + s.targets().size() - targets.size())
                .withNodes(nodes, nz(s.nodesOmitted()) + s.nodes().size() - nodes.size())
                .withSummary(clippedSummary)
                .withRecentEvents(s.recentEvents().stream()
                        .limit(MAX_RECENT_EVENTS)
                        .map(StatusBudget::clipEvent)
                        .toList());
        return s.limits() == null
                ? clipped
                : clipped.withLimits(new PacketTraceStatus.Limits(
                        clip(s.limits().duration(), MAX_SHORT),
                        s.limits().maxEvents(),
                        clip(s.limits().adjusted(), MAX_MESSAGE)));
    }

    static TargetStatus clipTarget(TargetStatus t) {
        return new TargetStatus(
                clip(t.pod(), MAX_NAME),
                clip(t.podUid(), MAX_SHORT),
                clip(t.node(), MAX_NAME),
                t.netnsInode(),
                t.state(),
                clip(t.message(), MAX_MESSAGE));
    }

    static NodeStatus clipNode(NodeStatus n) {
        return new NodeStatus(
                clip(n.node(), MAX_NAME),
                n.state(),
                clip(n.backend(), MAX_SHORT),
                n.probesAttached(),
                n.events(),
                n.lost(),
                n.drops(),
                clip(n.lastReportTime(), MAX_SHORT),
                clip(n.message(), MAX_MESSAGE));
    }

    static DropGroup clipDrop(DropGroup g) {
        return new DropGroup(clip(g.reason(), MAX_REASON), clip(g.location(), MAX_LOCATION), g.count(), g.nodes());
    }

    static TraceEvent clipEvent(TraceEvent e) {
        return new TraceEvent(
                clip(e.time(), MAX_SHORT),
                clip(e.node(), MAX_NAME),
                clip(e.pod(), MAX_NAME),
                clip(e.probe(), MAX_PROBE),
                clip(e.ifname(), MAX_IFNAME),
                clip(e.tuple(), MAX_TUPLE),
                clip(e.reason(), MAX_REASON),
                clip(e.location(), MAX_LOCATION));
    }

    private static Condition clipCondition(Condition c) {
        return new ConditionBuilder(c)
                .withType(clip(c.getType(), MAX_SHORT))
                .withReason(clip(c.getReason(), MAX_SHORT))
                .withMessage(clip(c.getMessage(), 2 * MAX_MESSAGE))
                .build();
    }

    private static PacketTraceStatus withDropGroups(PacketTraceStatus s, List<DropGroup> groups) {
        Summary sum = s.summary();
        long cut = sum.dropsByReason().stream()
                .skip(groups.size())
                .mapToLong(g -> nz(g.count()))
                .sum();
        Summary smaller =
                new Summary(sum.events(), sum.lost(), sum.drops(), groups, nz(sum.dropsOmitted()) + cut, sum.verdict());
        return s.withSummary(smaller);
    }

    private static <T> List<T> half(List<T> list) {
        return list.subList(0, list.size() / 2);
    }

    private static int nz(Integer i) {
        return i == null ? 0 : i;
    }

    private static long nz(Long l) {
        return l == null ? 0 : l;
    }
}
