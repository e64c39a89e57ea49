// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.operator.trace;

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
import dev.packettrace.operator.OperatorConfig;
import dev.packettrace.operator.TraceNodes;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

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

    public TracePlan plan(
            PacketTrace trace,
            List<Pod> namespacePods,
            List<NodeReport> reports,
            List<PacketTrace> allTraces,
            Instant now) {
        PacketTraceStatus prev = trace.statusOrEmpty();
        long generation = trace.getMetadata().getGeneration() == null
                ? 0
                : trace.getMetadata().getGeneration();
        Attempt attempt = new Attempt(prev, generation, now);
        String uid = String.valueOf(trace.getMetadata().getUid());

        SpecValidation validation = PacketTraceSpecValidator.validate(trace.getSpec());
        if (validation instanceof SpecValidation.Invalid invalid) {
            return refuse(
                    attempt,
                    new Failure("InvalidSpec", invalid.message()),
                    Optional.empty(),
                    prev.targets(),
                    NodeReportAggregator.aggregate(uid, reports, Set.of(), 0));
        }
        TraceRequest request = ((SpecValidation.Valid) validation).request();
        int recent = request.output().recentEvents();
        if (prev.phaseOrPending().isTerminal()) {
            return settled(prev, NodeReportAggregator.aggregate(uid, reports, Set.of(), recent));
        }
        if (request.output().packetContent() && !config.allowPacketContent()) {
            return refuse(
                    attempt,
                    new Failure(
                            PACKET_CONTENT_FORBIDDEN,
                            "spec.output.packetContent is true, but this cluster forbids packet contents (operator setting "
                                    + "PACKETTRACE_ALLOW_PACKET_CONTENT=false, Helm value packetContent.allowed=false): packets carry "
                                    + "whatever the applications send. Remove spec.output.packetContent, or ask the cluster "
                                    + "administrator to allow it."),
                    Optional.empty(),
                    prev.targets(),
                    NodeReportAggregator.aggregate(uid, reports, Set.of(), recent));
        }
        return switch (Caps.apply(request, config)) {
            case Caps.Admission.Rejected rejected ->
                refuse(
                        attempt,
                        new Failure("ExceedsCap", rejected.message()),
                        Optional.empty(),
                        prev.targets(),
                        NodeReportAggregator.aggregate(uid, reports, Set.of(), recent));
            case Caps.Admission.Admitted admitted ->
                advance(attempt, trace, request, admitted, observe(trace, request, namespacePods, reports), allTraces);
        };
    }

    /**
     * Where an admitted trace stands after this reconcile, and why. Everything else an admitted trace's
     * plan holds (its Running, Completed and Failed conditions, the transition Event, when to look again)
     * is derived from it, so the phase and its reason cannot disagree.
     */
    private sealed interface Lifecycle {
        default Phase phase() {
            return switch (this) {
                case Pending p -> Phase.Pending;
                case Running r -> Phase.Running;
                case Completed c -> Phase.Completed;
                case Failed f -> Phase.Failed;
            };
        }

        /** No agent tracing yet; the trace fails at {@code deadline} (creation plus the pending timeout). */
        record Pending(Instant deadline) implements Lifecycle {}

        /** Agents are tracing; the duration runs out at {@code end}. */
        record Running(Instant end) implements Lifecycle {}

        /** The trace ended in this reconcile: {@code reason} is the condition's and the Event's reason. */
        sealed interface Ended extends Lifecycle {
            String reason();

            String message();
        }

        record Completed(String reason, String message) implements Ended {}

        record Failed(String reason, String message) implements Ended {}
    }

    /**
     * Failed agents end a trace before anything else is weighed: no timeout or duration left can bring them
     * back. maxEvents comes before the duration so that a trace reaching both at once says it was full.
     */
    private Lifecycle lifecycle(
            PacketTrace trace,
            Observed seen,
            Optional<Instant> started,
            Caps.Admission.Admitted admitted,
            Instant now) {
        List<NodeStatus> agents = seen.agg().nodes();
        if (!agents.isEmpty() && agents.stream().allMatch(n -> n.state() == AgentState.Failed)) {
            return new Lifecycle.Failed("AgentsFailed", "every node agent failed: " + nodeStates(agents));
        }
        if (started.isEmpty()) {
            Instant deadline = created(trace, now).plus(config.pendingTimeout());
            if (now.isBefore(deadline)) {
                return new Lifecycle.Pending(deadline);
            }
            return new Lifecycle.Failed(
                    "StartTimeout",
                    seen.nodes().isEmpty()
                            ? "no running pod matched spec.targets within "
                                    + DurationText.format(config.pendingTimeout())
                            : "no node agent attached within " + DurationText.format(config.pendingTimeout()) + ": "
                                    + nodeStates(agents));
        }
        if (seen.agg().events() >= admitted.maxEvents()) {
            return new Lifecycle.Completed(
                    "MaxEventsReached",
                    "reached " + admitted.maxEvents() + " events (spec.output.maxEvents): "
                            + seen.agg().summary().verdict());
        }
        Instant end = started.get().plus(admitted.duration());
        if (!now.isBefore(end)) {
            return new Lifecycle.Completed(
                    "DurationElapsed",
                    "traced for " + DurationText.format(admitted.duration()) + ": "
                            + seen.agg().summary().verdict());
        }
        return new Lifecycle.Running(end);
    }

    /** What the cluster shows of an admitted trace: its targets, the nodes they run on, its agents' reports. */
    private record Observed(
            List<TargetStatus> targets, SortedSet<String> nodes, int liveTargets, NodeReportAggregator.Aggregate agg) {}

    private static Observed observe(
            PacketTrace trace, TraceRequest request, List<Pod> namespacePods, List<NodeReport> reports) {
        String uid = String.valueOf(trace.getMetadata().getUid());
        int recent = request.output().recentEvents();
        // The targets decide which nodes are expected to report, so they are resolved from a first
        // aggregate that expects none, and the reports are aggregated again against their nodes.
        var reported = NodeReportAggregator.aggregate(uid, reports, Set.of(), recent);
        List<TargetStatus> targets = TargetResolver.resolve(
                trace.getMetadata().getNamespace(),
                request.targets(),
                namespacePods,
                reported.targets(),
                trace.statusOrEmpty().targets());
        SortedSet<String> nodes = TraceNodes.of(targets);
        int liveTargets = (int) targets.stream()
                .filter(t -> t.podUid() != null && t.state() != TargetState.Gone)
                .count();
        return new Observed(targets, nodes, liveTargets, NodeReportAggregator.aggregate(uid, reports, nodes, recent));
    }

    private TracePlan advance(
            Attempt attempt,
            PacketTrace trace,
            TraceRequest request,
            Caps.Admission.Admitted admitted,
            Observed seen,
            List<PacketTrace> allTraces) {
        PacketTraceStatus prev = attempt.prev();
        PacketTraceStatus.Limits limits = limits(admitted);
        Optional<String> overNodeCap = NodeCapacity.check(
                trace, seen.nodes(), prev.phaseOrPending() == Phase.Running, allTraces, config.maxTracesPerNode());
        if (overNodeCap.isPresent()) {
            return refuse(
                    attempt,
                    new Failure("NodeTraceLimit", overNodeCap.get()),
                    Optional.of(limits),
                    seen.targets(),
                    seen.agg());
        }
        Instant now = attempt.now();
        // startTime is kept as first written, so the duration counts from the first agent that traced.
        String startTime =
                prev.startTime() != null ? prev.startTime() : (seen.agg().anyTracing() ? now.toString() : null);
        Optional<Instant> started = Optional.ofNullable(startTime).map(t -> instant(t, now));
        Lifecycle life = lifecycle(trace, seen, started, admitted, now);
        PacketTraceStatus status = new PacketTraceStatus(
                life.phase(),
                attempt.generation(),
                conditions(attempt.conditions(), trace.getMetadata().getNamespace(), admitted, seen, life),
                startTime,
                life.phase().isTerminal() ? now.toString() : null,
                limits,
                seen.liveTargets(),
                seen.nodes().size(),
                seen.targets(),
                0,
                seen.agg().nodes(),
                0,
                seen.agg().summary(),
                seen.agg().recentEvents());
        return new TracePlan(
                StatusBudget.fit(status),
                requeueAfter(life, now),
                notices(prev, request, admitted, limits, seen, life));
    }

    private static List<Condition> conditions(
            Conditions conditions, String namespace, Caps.Admission.Admitted admitted, Observed seen, Lifecycle life) {
        SortedSet<String> nodes = seen.nodes();
        String agents = nodeStates(seen.agg().nodes());
        conditions.set(
                Conditions.ACCEPTED,
                true,
                admitted.adjusted().isPresent() ? "Clamped" : "Valid",
                admitted.adjusted().orElse("the spec is valid and within the operator's caps"));
        conditions.set(
                Conditions.SCHEDULED,
                !nodes.isEmpty(),
                nodes.isEmpty() ? "NoTargets" : "TargetsFound",
                nodes.isEmpty()
                        ? "no running pod in namespace " + namespace + " matches spec.targets yet"
                        : seen.liveTargets() + " target pod(s) on " + nodes.size() + " node(s): "
                                + String.join(", ", limit(nodes, 10)));
        switch (life) {
            case Lifecycle.Running r ->
                conditions.set(Conditions.RUNNING, true, "AgentsTracing", "tracing on " + agents);
            case Lifecycle.Pending p ->
                conditions.set(
                        Conditions.RUNNING,
                        false,
                        "WaitingForAgents",
                        nodes.isEmpty() ? "waiting for target pods" : "waiting for node agents: " + agents);
            case Lifecycle.Ended e ->
                conditions.set(Conditions.RUNNING, false, "Ended", "the trace ended: " + e.reason());
        }
        if (life instanceof Lifecycle.Completed c) {
            conditions.set(Conditions.COMPLETED, true, c.reason(), c.message());
        } else {
            conditions.set(Conditions.COMPLETED, false, "NotCompleted", "the trace has not completed");
        }
        if (life instanceof Lifecycle.Failed f) {
            conditions.set(Conditions.FAILED, true, f.reason(), f.message());
        } else {
            conditions.set(Conditions.FAILED, false, "NotFailed", "no failure");
        }
        return conditions.build();
    }

    /** Admission is announced once: the first reconcile is the one that finds no conditions yet. */
    private static List<Notice> notices(
            PacketTraceStatus prev,
            TraceRequest request,
            Caps.Admission.Admitted admitted,
            PacketTraceStatus.Limits limits,
            Observed seen,
            Lifecycle life) {
        return Stream.of(
                        targetsGone(prev.targets(), seen.targets()).stream(),
                        prev.conditions().isEmpty()
                                ? Stream.of(accepted(request, admitted, limits))
                                : Stream.<Notice>empty(),
                        transition(
                                prev.phaseOrPending(),
                                life,
                                limits,
                                seen.nodes().size())
                                .stream())
                .flatMap(n -> n)
                .toList();
    }

    /** Only for pods that turned Gone in this reconcile: a pod stays listed as Gone long after. */
    private static List<Notice> targetsGone(List<TargetStatus> previous, List<TargetStatus> targets) {
        return targets.stream()
                .filter(t -> t.state() == TargetState.Gone)
                .filter(t -> previous.stream().noneMatch(p -> p.pod().equals(t.pod()) && p.state() == TargetState.Gone))
                .map(t -> Notice.normal("TargetGone", "pod " + t.pod() + " went away: " + t.message()))
                .toList();
    }

    private static Notice accepted(
            TraceRequest request, Caps.Admission.Admitted admitted, PacketTraceStatus.Limits limits) {
        return admitted.adjusted()
                .map(adjusted -> Notice.warning("Clamped", adjusted))
                .orElseGet(() ->
                        Notice.normal("Accepted", "tracing " + describeTargets(request) + " for " + limits.duration()));
    }

    /** The Event of a phase change; a reconcile that stays in its phase records none. */
    private static Optional<Notice> transition(
            Phase previous, Lifecycle life, PacketTraceStatus.Limits limits, int nodeCount) {
        if (life.phase() == previous) {
            return Optional.empty();
        }
        return switch (life) {
            case Lifecycle.Pending p -> Optional.empty();
            case Lifecycle.Running r ->
                Optional.of(Notice.normal(
                        "Started",
                        "agents attached; tracing for " + limits.duration() + " on " + nodeCount + " node(s)"));
            case Lifecycle.Completed c -> Optional.of(Notice.normal("Completed", c.message()));
            case Lifecycle.Failed f -> Optional.of(Notice.warning(f.reason(), f.message()));
        };
    }

    /** Look again when the pending timeout or the duration runs out; an ended trace waits for events only. */
    private static Optional<Duration> requeueAfter(Lifecycle life, Instant now) {
        return switch (life) {
            case Lifecycle.Pending p -> Optional.of(Duration.between(now, p.deadline()));
            case Lifecycle.Running r -> Optional.of(Duration.between(now, r.end()));
            case Lifecycle.Ended e -> Optional.empty();
        };
    }

    private static PacketTraceStatus.Limits limits(Caps.Admission.Admitted admitted) {
        return new PacketTraceStatus.Limits(
                DurationText.format(admitted.duration()),
                admitted.maxEvents(),
                admitted.adjusted().orElse(null));
    }

    /** The outcome is settled; keep folding in reports so the final numbers and "Detached" show. */
    private static TracePlan settled(PacketTraceStatus prev, NodeReportAggregator.Aggregate agg) {
        List<TargetStatus> targets = enrich(prev.targets(), agg.targets());
        return new TracePlan(
                StatusBudget.fit(prev.withNodeCount(agg.nodes().size())
                        .withTargets(targets, 0)
                        .withNodes(agg.nodes(), 0)
                        .withSummary(agg.summary())
                        .withRecentEvents(agg.recentEvents())),
                Optional.empty(),
                List.of());
    }

    /**
     * What every exit of one {@link #plan} call needs from its start: the previous status and the
     * generation and time the new status is stamped with. Passed whole so that an early exit cannot mix
     * up, say, the generation with another long.
     */
    private record Attempt(PacketTraceStatus prev, long generation, Instant now) {
        /** Fresh for each exit, so that only the exit taken sets conditions. */
        Conditions conditions() {
            return new Conditions(prev.conditions(), generation, now);
        }
    }

    /** Why {@link #refuse} ends a trace: {@code reason} becomes the Failed condition's reason and the event's. */
    private record Failure(String reason, String message) {
        /** Accepted turns False for an invalid spec or one a cap or policy refused; any other failure came after admission. */
        boolean accepted() {
            return !reason.equals("InvalidSpec") && !NOT_ADMITTED.contains(reason);
        }
    }

    /**
     * Fails a trace that may not run at all (the spec, the policy, a cap), before any agent is scheduled.
     *
     * @param limits empty when the trace failed before the caps were applied, so no limits are in force
     */
    private static TracePlan refuse(
            Attempt attempt,
            Failure failure,
            Optional<PacketTraceStatus.Limits> limits,
            List<TargetStatus> targets,
            NodeReportAggregator.Aggregate agg) {
        PacketTraceStatus prev = attempt.prev();
        PacketTraceStatus status = new PacketTraceStatus(
                Phase.Failed,
                attempt.generation(),
                refusedConditions(attempt.conditions(), failure),
                prev.startTime(),
                prev.completionTime() != null
                        ? prev.completionTime()
                        : attempt.now().toString(),
                limits.orElse(null),
                0,
                agg.nodes().size(),
                targets,
                0,
                agg.nodes(),
                0,
                agg.summary(),
                agg.recentEvents());
        List<Notice> notices = prev.phaseOrPending() == Phase.Failed
                ? List.of()
                : List.of(Notice.warning(failure.reason(), failure.message()));
        return new TracePlan(StatusBudget.fit(status), Optional.empty(), notices);
    }

    private static List<Condition> refusedConditions(Conditions conditions, Failure failure) {
        String reason = failure.reason();
        boolean accepted = failure.accepted();
        return conditions
                .set(
                        Conditions.ACCEPTED,
                        accepted,
                        accepted ? "Valid" : reason,
                        accepted ? "the spec is valid" : failure.message())
                .set(Conditions.SCHEDULED, false, "NotScheduled", "the trace failed before agents were scheduled")
                .set(Conditions.RUNNING, false, "Ended", "the trace ended: " + reason)
                .set(Conditions.COMPLETED, false, "NotCompleted", "the trace failed")
                .set(Conditions.FAILED, true, reason, failure.message())
                .build();
    }

    /** Terminal traces keep their target list; only the agents' findings are updated. */
    private static List<TargetStatus> enrich(List<TargetStatus> targets, Map<String, TargetStatus> reported) {
        return targets.stream()
                .map(t -> {
                    TargetStatus r = t.podUid() == null ? null : reported.get(t.podUid());
                    return r == null || t.state() == TargetState.Gone
                            ? t
                            : new TargetStatus(t.pod(), t.podUid(), t.node(), r.netnsInode(), r.state(), r.message());
                })
                .toList();
    }

    private static String nodeStates(List<NodeStatus> nodes) {
        if (nodes.isEmpty()) {
            return "no nodes";
        }
        return nodes.stream()
                        .limit(5)
                        .map(n -> n.node() + " (" + n.state()
                                + (n.message() != null && n.state() == AgentState.Failed ? ": " + n.message() : "")
                                + ")")
                        .collect(Collectors.joining(", "))
                + (nodes.size() > 5 ? ", ..." : "");
    }

    private static String describeTargets(TraceRequest r) {
        List<String> parts = new ArrayList<>();
        r.targets()
                .podSelector()
                .ifPresent(s -> parts.add(
                        "pods matching " + (s.getMatchLabels() == null ? "expressions" : s.getMatchLabels())));
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
