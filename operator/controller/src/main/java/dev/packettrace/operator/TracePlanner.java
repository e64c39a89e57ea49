// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.operator;

import dev.packettrace.api.report.NodeReportAggregator;
import dev.packettrace.api.status.StatusBudget;
import dev.packettrace.api.v1alpha1.AgentState;
import dev.packettrace.api.v1alpha1.NodeReport;
import dev.packettrace.api.v1alpha1.NodeStatus;
import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.api.v1alpha1.PacketTraceStatus;
import dev.packettrace.api.v1alpha1.PacketTraceStatus.Phase;
import dev.packettrace.api.v1alpha1.TargetState;
import dev.packettrace.api.v1alpha1.TargetStatus;
import dev.packettrace.api.validation.DurationText;
import dev.packettrace.api.validation.PacketTraceSpecValidator;
import dev.packettrace.api.validation.SpecValidation;
import dev.packettrace.api.validation.TraceRequest;
import io.fabric8.kubernetes.api.model.Pod;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The heart of the operator, as a pure function: from a trace, the pods of its namespace, its node
 * reports, the other traces and the time, it computes the trace's next status. Level-based: it never
 * remembers anything between calls that is not in the status itself, so any number of reconciles,
 * restarts or replays converge on the same answer.
 *
 * <p>Lifecycle: Pending (valid, admitted, waiting for targets and agents) → Running (from the first
 * agent that reports Tracing; the duration counts from here) → Completed (duration elapsed or maxEvents
 * reached) or Failed (invalid spec, over a cap, no agent attached within the pending timeout, every
 * agent failed).
 */
public final class TracePlanner {

    /** Failure reason of a trace asking for packet contents where the cluster forbids them. */
    public static final String PACKET_CONTENT_FORBIDDEN = "PacketContentForbidden";
    /** Reasons a valid spec is not accepted: the Accepted condition turns False with them. */
    private static final Set<String> NOT_ADMITTED = Set.of("ExceedsCap", "NodeTraceLimit", PACKET_CONTENT_FORBIDDEN);

    private final OperatorConfig config;

    public TracePlanner(OperatorConfig config) {
        this.config = config;
    }

    public TracePlan plan(PacketTrace trace, List<Pod> namespacePods, List<NodeReport> reports, List<PacketTrace> allTraces, Instant now) {
        PacketTraceStatus prev = trace.statusOrEmpty();
        long generation = trace.getMetadata().getGeneration() == null ? 0 : trace.getMetadata().getGeneration();
        String uid = String.valueOf(trace.getMetadata().getUid());
        Phase prevPhase = prev.phaseOrPending();
        List<Notice> notices = new ArrayList<>();
        Conditions conditions = new Conditions(prev.conditions(), generation, now);
        Attempt attempt = new Attempt(prev, conditions, generation, now, notices);

        SpecValidation validation = PacketTraceSpecValidator.validate(trace.getSpec());
        if (validation instanceof SpecValidation.Invalid invalid) {
            return fail(attempt, new Failure("InvalidSpec", invalid.message()), Optional.empty(),
                    prev.targets(), NodeReportAggregator.aggregate(uid, reports, Set.of(), 0));
        }
        TraceRequest request = ((SpecValidation.Valid) validation).request();
        int recent = request.output().recentEvents();

        if (prevPhase.isTerminal()) {
            // The outcome is settled; keep folding in reports so the final numbers and "Detached" show.
            var agg = NodeReportAggregator.aggregate(uid, reports, Set.of(), recent);
            List<TargetStatus> targets = enrich(prev.targets(), agg.targets());
            return new TracePlan(StatusBudget.fit(prev.withNodeCount(agg.nodes().size()).withTargets(targets, 0)
                    .withNodes(agg.nodes(), 0).withSummary(agg.summary()).withRecentEvents(agg.recentEvents())),
                    Optional.empty(), notices);
        }

        if (request.output().packetContent() && !config.allowPacketContent()) {
            return fail(attempt, new Failure(PACKET_CONTENT_FORBIDDEN,
                    "spec.output.packetContent is true, but this cluster forbids packet contents (operator setting "
                            + "PACKETTRACE_ALLOW_PACKET_CONTENT=false, Helm value packetContent.allowed=false): packets carry "
                            + "whatever the applications send. Remove spec.output.packetContent, or ask the cluster "
                            + "administrator to allow it."),
                    Optional.empty(), prev.targets(), NodeReportAggregator.aggregate(uid, reports, Set.of(), recent));
        }

        Caps.Admission admission = Caps.apply(request, config);
        if (admission instanceof Caps.Admission.Rejected rejected) {
            return fail(attempt, new Failure("ExceedsCap", rejected.message()), Optional.empty(),
                    prev.targets(), NodeReportAggregator.aggregate(uid, reports, Set.of(), recent));
        }
        Caps.Admission.Admitted admitted = (Caps.Admission.Admitted) admission;
        PacketTraceStatus.Limits limits = new PacketTraceStatus.Limits(DurationText.format(admitted.duration()),
                admitted.maxEvents(), admitted.adjusted().orElse(null));

        var firstAgg = NodeReportAggregator.aggregate(uid, reports, Set.of(), recent);
        List<TargetStatus> targets = TargetResolver.resolve(trace.getMetadata().getNamespace(), request.targets(),
                namespacePods, firstAgg.targets(), prev.targets());
        Set<String> nodes = targets.stream()
                .filter(t -> t.node() != null && t.state() != TargetState.Gone)
                .map(TargetStatus::node)
                .collect(Collectors.toCollection(TreeSet::new));
        int liveTargets = (int) targets.stream().filter(t -> t.podUid() != null && t.state() != TargetState.Gone).count();
        var agg = NodeReportAggregator.aggregate(uid, reports, nodes, recent);

        Optional<String> overNodeCap = NodeCapacity.check(trace, nodes, prevPhase == Phase.Running, allTraces, config.maxTracesPerNode());
        if (overNodeCap.isPresent()) {
            return fail(attempt, new Failure("NodeTraceLimit", overNodeCap.get()), Optional.of(limits), targets, agg);
        }

        for (TargetStatus t : targets) {
            boolean wasGone = prev.targets().stream().anyMatch(p -> p.pod().equals(t.pod()) && p.state() == TargetState.Gone);
            if (t.state() == TargetState.Gone && !wasGone) {
                notices.add(Notice.normal("TargetGone", "pod " + t.pod() + " went away: " + t.message()));
            }
        }
        if (prev.conditions().isEmpty()) {
            notices.add(admitted.adjusted().isPresent()
                    ? Notice.warning("Clamped", admitted.adjusted().get())
                    : Notice.normal("Accepted", "tracing " + describeTargets(request) + " for " + limits.duration()));
        }
        conditions.set(Conditions.ACCEPTED, true, admitted.adjusted().isPresent() ? "Clamped" : "Valid",
                admitted.adjusted().orElse("the spec is valid and within the operator's caps"));
        conditions.set(Conditions.SCHEDULED, !nodes.isEmpty(), nodes.isEmpty() ? "NoTargets" : "TargetsFound",
                nodes.isEmpty() ? "no running pod in namespace " + trace.getMetadata().getNamespace() + " matches spec.targets yet"
                        : liveTargets + " target pod(s) on " + nodes.size() + " node(s): " + String.join(", ", limit(nodes, 10)));

        String startTime = prev.startTime() != null ? prev.startTime() : (agg.anyTracing() ? now.toString() : null);
        boolean allAgentsFailed = !agg.nodes().isEmpty() && agg.nodes().stream().allMatch(n -> n.state() == AgentState.Failed);
        Phase phase;
        String endReason = null;
        String endMessage = null;
        Optional<Duration> requeue;
        if (allAgentsFailed) {
            phase = Phase.Failed;
            endReason = "AgentsFailed";
            endMessage = "every node agent failed: " + nodeStates(agg.nodes());
            requeue = Optional.empty();
        } else if (startTime == null) {
            Instant deadline = created(trace, now).plus(config.pendingTimeout());
            if (!now.isBefore(deadline)) {
                phase = Phase.Failed;
                endReason = "StartTimeout";
                endMessage = nodes.isEmpty()
                        ? "no running pod matched spec.targets within " + DurationText.format(config.pendingTimeout())
                        : "no node agent attached within " + DurationText.format(config.pendingTimeout()) + ": " + nodeStates(agg.nodes());
                requeue = Optional.empty();
            } else {
                phase = Phase.Pending;
                requeue = Optional.of(Duration.between(now, deadline));
            }
        } else {
            Instant end = instant(startTime, now).plus(admitted.duration());
            if (agg.events() >= admitted.maxEvents()) {
                phase = Phase.Completed;
                endReason = "MaxEventsReached";
                endMessage = "reached " + admitted.maxEvents() + " events (spec.output.maxEvents): " + agg.summary().verdict();
                requeue = Optional.empty();
            } else if (!now.isBefore(end)) {
                phase = Phase.Completed;
                endReason = "DurationElapsed";
                endMessage = "traced for " + limits.duration() + ": " + agg.summary().verdict();
                requeue = Optional.empty();
            } else {
                phase = Phase.Running;
                requeue = Optional.of(Duration.between(now, end));
            }
        }

        conditions.set(Conditions.RUNNING, phase == Phase.Running, switch (phase) {
            case Running -> "AgentsTracing";
            case Pending -> "WaitingForAgents";
            default -> "Ended";
        }, phase == Phase.Running ? "tracing on " + nodeStates(agg.nodes()) : phase == Phase.Pending
                ? (nodes.isEmpty() ? "waiting for target pods" : "waiting for node agents: " + nodeStates(agg.nodes()))
                : "the trace ended: " + endReason);
        conditions.set(Conditions.COMPLETED, phase == Phase.Completed, phase == Phase.Completed ? endReason : "NotCompleted",
                phase == Phase.Completed ? endMessage : "the trace has not completed");
        conditions.set(Conditions.FAILED, phase == Phase.Failed, phase == Phase.Failed ? endReason : "NotFailed",
                phase == Phase.Failed ? endMessage : "no failure");

        if (phase != prevPhase) {
            switch (phase) {
                case Running -> notices.add(Notice.normal("Started", "agents attached; tracing for " + limits.duration()
                        + " on " + nodes.size() + " node(s)"));
                case Completed -> notices.add(Notice.normal("Completed", endMessage));
                case Failed -> notices.add(Notice.warning(endReason, endMessage));
                case Pending -> { }
            }
        }
        String completionTime = phase.isTerminal() ? now.toString() : null;
        PacketTraceStatus status = new PacketTraceStatus(phase, generation, conditions.build(), startTime, completionTime, limits,
                liveTargets, nodes.size(), targets, 0, agg.nodes(), 0, agg.summary(), agg.recentEvents());
        return new TracePlan(StatusBudget.fit(status), requeue, notices);
    }

    /**
     * What every exit of one {@link #plan} call needs from its start: the previous status, the conditions
     * and notices collected so far, and the generation and time the new status is stamped with. Passed
     * whole so that an early exit cannot mix up, say, the generation with another long.
     */
    private record Attempt(PacketTraceStatus prev, Conditions conditions, long generation, Instant now, List<Notice> notices) {
    }

    /** Why {@link #fail} ends a trace: {@code reason} becomes the Failed condition's reason and the event's. */
    private record Failure(String reason, String message) {
        /** Accepted turns False for an invalid spec or one a cap or policy refused; any other failure came after admission. */
        boolean accepted() {
            return !reason.equals("InvalidSpec") && !NOT_ADMITTED.contains(reason);
        }
    }

    /**
     * @param limits empty when the trace failed before the caps were applied, so no limits are in force
     */
    private TracePlan fail(Attempt attempt, Failure failure, Optional<PacketTraceStatus.Limits> limits,
                           List<TargetStatus> targets, NodeReportAggregator.Aggregate agg) {
        String reason = failure.reason();
        String message = failure.message();
        Conditions conditions = attempt.conditions();
        boolean accepted = failure.accepted();
        conditions.set(Conditions.ACCEPTED, accepted, accepted ? "Valid" : reason, accepted ? "the spec is valid" : message);
        conditions.set(Conditions.SCHEDULED, false, "NotScheduled", "the trace failed before agents were scheduled");
        conditions.set(Conditions.RUNNING, false, "Ended", "the trace ended: " + reason);
        conditions.set(Conditions.COMPLETED, false, "NotCompleted", "the trace failed");
        conditions.set(Conditions.FAILED, true, reason, message);
        PacketTraceStatus prev = attempt.prev();
        if (prev.phaseOrPending() != Phase.Failed) {
            attempt.notices().add(Notice.warning(reason, message));
        }
        PacketTraceStatus status = new PacketTraceStatus(Phase.Failed, attempt.generation(), conditions.build(), prev.startTime(),
                prev.completionTime() != null ? prev.completionTime() : attempt.now().toString(), limits.orElse(null),
                0, agg.nodes().size(), targets, 0, agg.nodes(), 0, agg.summary(), agg.recentEvents());
        return new TracePlan(StatusBudget.fit(status), Optional.empty(), attempt.notices());
    }

    /** Terminal traces keep their target list; only the agents' findings are updated. */
    private static List<TargetStatus> enrich(List<TargetStatus> targets, Map<String, TargetStatus> reported) {
        return targets.stream().map(t -> {
            TargetStatus r = t.podUid() == null ? null : reported.get(t.podUid());
            return r == null || t.state() == TargetState.Gone ? t
                    : new TargetStatus(t.pod(), t.podUid(), t.node(), r.netnsInode(), r.state(), r.message());
        }).toList();
    }

    private static String nodeStates(List<NodeStatus> nodes) {
        if (nodes.isEmpty()) {
            return "no nodes";
        }
        return nodes.stream().limit(5)
                .map(n -> n.node() + " (" + n.state() + (n.message() != null && n.state() == AgentState.Failed ? ": " + n.message() : "") + ")")
                .collect(Collectors.joining(", ")) + (nodes.size() > 5 ? ", ..." : "");
    }

    private static String describeTargets(TraceRequest r) {
        List<String> parts = new ArrayList<>();
        r.targets().podSelector().ifPresent(s -> parts.add("pods matching " + (s.getMatchLabels() == null ? "expressions" : s.getMatchLabels())));
        if (!r.targets().podNames().isEmpty()) {
            parts.add("pods " + String.join(", ", limit(r.targets().podNames(), 5)));
        }
        return String.join(" and ", parts);
    }

    private static List<String> limit(java.util.Collection<String> c, int n) {
        List<String> l = c.stream().limit(n).collect(Collectors.toCollection(ArrayList::new));
        if (c.size() > n) {
            l.add("...");
        }
        return l;
    }

    private static Instant created(PacketTrace t, Instant fallback) {
        return instant(t.getMetadata().getCreationTimestamp(), fallback);
    }

    private static Instant instant(String text, Instant fallback) {
        if (text == null) {
            return fallback;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return fallback;
        }
    }
}
