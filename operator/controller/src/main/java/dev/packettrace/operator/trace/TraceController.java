// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.operator.trace;

import dev.packettrace.api.rbac.RequiresRbac;
import dev.packettrace.api.status.StatusBudget;
import dev.packettrace.api.v1alpha1.NodeReport;
import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.api.v1alpha1.PacketTraceStatus;
import dev.packettrace.api.validation.DurationText;
import dev.packettrace.operator.OperatorConfig;
import dev.packettrace.operator.daemonset.AgentDaemonSetSync;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One reconcile of one PacketTrace, independent of the Java Operator SDK so that it can be driven
 * directly: read the cluster, plan, record Events, bring the agent DaemonSet in line, write the status.
 * The JOSDK reconciler is a thin adapter around this.
 */
@RequiresRbac(
        subject = RequiresRbac.Subject.OPERATOR,
        apiGroup = "packettrace.dev",
        resource = "packettraces/status",
        verbs = {"update"},
        why = "write a trace's status (phase, conditions, targets, nodes, summary)")
@RequiresRbac(
        subject = RequiresRbac.Subject.OPERATOR,
        apiGroup = "packettrace.dev",
        resource = "packettraces",
        verbs = {"patch"},
        why = "add and remove the finalizer " + TraceController.FINALIZER + " (JSON patch)")
public final class TraceController {

    /** Keeps a deleted trace until its agents said they detached (or the detach timeout passed). */
    public static final String FINALIZER = "packettrace.dev/detach-agents";

    static final Duration CLEANUP_POLL = Duration.ofSeconds(5);

    private static final System.Logger LOG = System.getLogger(TraceController.class.getName());

    private final KubernetesClient client;
    private final OperatorConfig config;
    private final Clock clock;
    private final TracePlanner planner;
    private final EventRecorder events;
    private final AgentDaemonSetSync daemonSet;

    public TraceController(KubernetesClient client, OperatorConfig config, Clock clock) {
        this.client = client;
        this.config = config;
        this.clock = clock;
        this.planner = new TracePlanner(config);
        this.events = new EventRecorder(client, clock);
        this.daemonSet = new AgentDaemonSetSync(client, config, clock);
    }

    /** What a cleanup decided: whether the finalizer may go, and otherwise when to look again. */
    public record CleanupDecision(boolean removeFinalizer, Optional<Duration> requeueAfter) {}

    /** Reconciles and writes the status when it changed; returns when to reconcile again regardless of events. */
    public Optional<Duration> reconcile(PacketTrace trace, ClusterView view) {
        Instant now = clock.instant();
        List<Pod> pods = view.podsIn(trace.getMetadata().getNamespace());
        List<NodeReport> reports = view.reportsOf(trace);
        List<PacketTrace> traces = view.traces();
        TracePlan plan;
        try {
            plan = planner.plan(trace, pods, reports, traces, now);
        } catch (RuntimeException e) {
            // A bug or an object no check foresaw: end this trace visibly instead of retrying it forever.
            LOG.log(System.Logger.Level.ERROR, "trace=" + trace.key() + " planning failed", e);
            plan = internalError(trace, e, now);
        }
        plan.notices().forEach(n -> events.record(trace, n));

        PacketTrace planned = withStatus(trace, plan.status());
        List<PacketTrace> withThis = Stream.concat(
                        traces.stream()
                                .filter(t -> !Objects.equals(
                                        t.getMetadata().getUid(),
                                        trace.getMetadata().getUid())),
                        Stream.of(planned))
                .toList();
        Optional<Duration> dsRequeue = daemonSet.sync(withThis);

        if (!plan.status().equals(trace.getStatus())) {
            trace.setStatus(plan.status());
            client.resource(trace)
                    .updateStatus(); // carries resourceVersion: a stale read fails with 409 and is retried
            LOG.log(
                    System.Logger.Level.DEBUG,
                    "trace=" + trace.key() + " phase=" + plan.status().phase());
        }
        return earliest(plan.requeueAfter(), dsRequeue);
    }

    /**
     * The trace is being deleted. Its agents see the deletion and detach; the finalizer stays until every
     * node's report says Detached or Failed, or the detach timeout has passed since deletion began.
     */
    public CleanupDecision cleanup(PacketTrace trace, ClusterView view) {
        Instant now = clock.instant();
        List<NodeReport> active = view.reportsOf(trace).stream()
                .filter(r -> r.state() != null && r.state().isActive())
                .toList();
        Instant deletedAt = parse(trace.getMetadata().getDeletionTimestamp()).orElse(now);
        Instant deadline = deletedAt.plus(config.detachTimeout());
        if (!active.isEmpty() && now.isBefore(deadline)) {
            Duration wait = Duration.between(now, deadline);
            return new CleanupDecision(false, Optional.of(wait.compareTo(CLEANUP_POLL) < 0 ? wait : CLEANUP_POLL));
        }
        if (!active.isEmpty()) {
            events.record(
                    trace,
                    Notice.warning(
                            "DetachTimeout",
                            "agents on " + active.stream().map(NodeReport::node).collect(Collectors.joining(", "))
                                    + " did not report detaching within "
                                    + DurationText.format(config.detachTimeout())
                                    + "; deleting anyway (their probes go when the trace's agent stops)"));
        }
        List<PacketTrace> others = view.traces().stream()
                .filter(t -> !Objects.equals(
                        t.getMetadata().getUid(), trace.getMetadata().getUid()))
                .toList();
        daemonSet.sync(others);
        LOG.log(System.Logger.Level.INFO, "trace=" + trace.key() + " finalizer=removed activeAgents=" + active.size());
        return new CleanupDecision(true, Optional.empty());
    }

    private TracePlan internalError(PacketTrace trace, RuntimeException e, Instant now) {
        PacketTraceStatus prev = trace.statusOrEmpty();
        String message = "internal error in the operator: " + e.getClass().getSimpleName() + ": " + e.getMessage();
        var cond = new ConditionBuilder()
                .withType(Conditions.FAILED)
                .withStatus("True")
                .withReason("InternalError")
                .withMessage(message)
                .withLastTransitionTime(now.toString())
                .withObservedGeneration(trace.getMetadata().getGeneration())
                .build();
        List<io.fabric8.kubernetes.api.model.Condition> conditions = new ArrayList<>(prev.conditions().stream()
                .filter(c -> !Conditions.FAILED.equals(c.getType()))
                .toList());
        conditions.add(cond);
        return new TracePlan(
                StatusBudget.fit(prev.withPhase(PacketTraceStatus.Phase.Failed)
                        .withObservedGeneration(trace.getMetadata().getGeneration())
                        .withConditions(conditions)
                        .withCompletionTime(now.toString())),
                Optional.empty(),
                List.of(Notice.warning("InternalError", message)));
    }

    private static PacketTrace withStatus(PacketTrace t, PacketTraceStatus status) {
        PacketTrace copy = new PacketTrace();
        copy.setMetadata(t.getMetadata());
        copy.setSpec(t.getSpec());
        copy.setStatus(status);
        return copy;
    }

    static Optional<Duration> earliest(Optional<Duration> a, Optional<Duration> b) {
        if (a.isEmpty()) {
            return b;
        }
        if (b.isEmpty()) {
            return a;
        }
        return Optional.of(a.get().compareTo(b.get()) <= 0 ? a.get() : b.get());
    }

    private static Optional<Instant> parse(String s) {
        if (s == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(s));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
