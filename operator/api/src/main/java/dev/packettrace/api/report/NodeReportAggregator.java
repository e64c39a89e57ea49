// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.report;

import dev.packettrace.api.status.StatusLimits;
import dev.packettrace.api.v1alpha1.AgentState;
import dev.packettrace.api.v1alpha1.DropGroup;
import dev.packettrace.api.v1alpha1.NodeReport;
import dev.packettrace.api.v1alpha1.NodeStatus;
import dev.packettrace.api.v1alpha1.Summary;
import dev.packettrace.api.v1alpha1.TargetStatus;
import dev.packettrace.api.v1alpha1.TraceEvent;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Folds the node reports of one trace into the parts of its status that come from the nodes: one
 * entry per node, totals, drops grouped by reason and location over all nodes, the most recent events
 * (drops kept first: {@link RecentEventSelection}), and what each agent found about each target pod. Pure: the same reports give the same result.
 */
public final class NodeReportAggregator {

    private NodeReportAggregator() {}

    /**
     * @param targets what the node agents reported about each target pod, by pod uid
     */
    public record Aggregate(
            List<NodeStatus> nodes, Summary summary, List<TraceEvent> recentEvents, Map<String, TargetStatus> targets) {
        public Aggregate {
            nodes = List.copyOf(nodes);
            recentEvents = List.copyOf(recentEvents);
            targets = Map.copyOf(targets);
        }

        public long events() {
            return summary.events();
        }

        /** True when every listed node's agent has detached or failed (nothing still holds probes). */
        public boolean allDetached() {
            return nodes.stream()
                    .noneMatch(n -> n.state() == AgentState.Waiting || n.state().isActive());
        }

        public boolean anyTracing() {
            return nodes.stream().anyMatch(n -> n.state() == AgentState.Tracing);
        }
    }

    /**
     * @param traceUid      reports of another trace instance (same name, older uid) are ignored
     * @param expectedNodes nodes that host targets: listed as Waiting until their agent reports
     * @param recentEvents  how many recent events to keep (spec.output.recentEvents)
     */
    public static Aggregate aggregate(
            String traceUid, Collection<NodeReport> reports, Set<String> expectedNodes, int recentEvents) {
        Map<String, NodeReport> byNode = new TreeMap<>();
        for (NodeReport r : reports) {
            if (traceUid.equals(r.traceUid())) {
                byNode.merge(r.node(), r, NodeReportAggregator::newer);
            }
        }
        Set<String> nodeNames = new TreeSet<>(expectedNodes);
        nodeNames.addAll(byNode.keySet());

        List<NodeStatus> nodes = new ArrayList<>();
        for (String node : nodeNames) {
            NodeReport r = byNode.get(node);
            nodes.add(
                    r == null
                            ? new NodeStatus(
                                    node,
                                    AgentState.Waiting,
                                    null,
                                    0,
                                    0L,
                                    0L,
                                    0L,
                                    null,
                                    "no report from the node agent yet")
                            : new NodeStatus(
                                    node,
                                    r.state(),
                                    r.backend(),
                                    r.probesAttached(),
                                    r.events(),
                                    r.lost(),
                                    r.drops(),
                                    r.reportTime(),
                                    r.message()));
        }

        long events = 0, lost = 0, drops = 0;
        Map<List<String>, long[]> groups = new LinkedHashMap<>(); // (reason, location) -> {count, nodes}
        Map<String, TargetStatus> targets = new HashMap<>();
        List<TraceEvent> recent = new ArrayList<>();
        for (NodeReport r : byNode.values()) {
            events += r.events();
            lost += r.lost();
            drops += r.drops();
            for (DropGroup g : r.dropsByReason()) {
                long[] acc = groups.computeIfAbsent(List.of(nz(g.reason()), nz(g.location())), k -> new long[2]);
                acc[0] += g.count() == null ? 0 : g.count();
                acc[1]++;
            }
            for (TargetStatus t : r.targets()) {
                if (t.podUid() != null) {
                    targets.put(t.podUid(), t);
                }
            }
            recent.addAll(r.recentEvents());
        }
        List<DropGroup> dropGroups = groups.entrySet().stream()
                .map(e -> new DropGroup(e.getKey().get(0), e.getKey().get(1), e.getValue()[0], (int) e.getValue()[1]))
                .sorted(Comparator.comparing(DropGroup::count)
                        .reversed()
                        .thenComparing(DropGroup::reason)
                        .thenComparing(DropGroup::location))
                .toList();
        List<DropGroup> shown =
                dropGroups.stream().limit(StatusLimits.MAX_DROP_GROUPS).toList();
        long shownDrops = shown.stream().mapToLong(DropGroup::count).sum();
        recent.sort(Comparator.comparing((TraceEvent e) -> instant(e.time())).reversed());
        List<TraceEvent> newest =
                RecentEventSelection.keep(recent, Math.min(recentEvents, StatusLimits.MAX_RECENT_EVENTS));

        Summary summary = new Summary(
                events,
                lost,
                drops,
                shown,
                Math.max(0, drops - shownDrops),
                verdict(nodes, events, lost, drops, shown, byNode));
        return new Aggregate(nodes, summary, newest, targets);
    }

    /** The finding in one sentence, the first thing a user under pressure reads. */
    static String verdict(
            List<NodeStatus> nodes,
            long events,
            long lost,
            long drops,
            List<DropGroup> groups,
            Map<String, NodeReport> byNode) {
        long reporting =
                nodes.stream().filter(n -> n.state() != AgentState.Waiting).count();
        String lostPart =
                lost > 0 ? "; " + plural(lost, "event") + " lost (the agent could not keep up; narrow the filter)" : "";
        if (reporting == 0) {
            return "No node agent has reported yet.";
        }
        if (events == 0) {
            return "No matching packets seen yet on " + plural(reporting, "node") + lostPart + ".";
        }
        if (drops == 0) {
            return plural(events, "event") + " on " + plural(reporting, "node") + ", no drops" + lostPart + ".";
        }
        if (groups.isEmpty()) {
            return plural(drops, "drop") + " in " + plural(events, "event") + lostPart + ".";
        }
        DropGroup top = groups.getFirst();
        String where = byNode.values().stream()
                .filter(r -> r.dropsByReason().stream()
                        .anyMatch(g -> nz(g.reason()).equals(top.reason())
                                && nz(g.location()).equals(top.location())))
                .map(NodeReport::node)
                .findFirst()
                .map(n -> top.nodes() > 1 ? " on " + top.nodes() + " nodes (first " + n + ")" : " on node " + n)
                .orElse("");
        String most = top.count() == drops ? "all" : top.count() + " of them";
        return plural(drops, "drop") + " in " + plural(events, "event") + "; " + most + " " + top.reason() + " at "
                + top.location() + where + lostPart + ".";
    }

    private static NodeReport newer(NodeReport a, NodeReport b) {
        return instant(b.reportTime()).isAfter(instant(a.reportTime())) ? b : a;
    }

    private static Instant instant(String time) {
        if (time == null) {
            return Instant.EPOCH;
        }
        try {
            return Instant.parse(time);
        } catch (DateTimeParseException e) {
            return Instant.EPOCH; // an unreadable time sorts last rather than failing the whole status
        }
    }

    private static String plural(long n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }

    private static String nz(String s) {
        return s == null ? "unknown" : s;
    }
}
