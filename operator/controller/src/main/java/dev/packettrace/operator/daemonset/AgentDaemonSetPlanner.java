// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.operator.daemonset;

import dev.packettrace.api.v1alpha1.NodeStatus;
import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.operator.OperatorConfig;
import dev.packettrace.operator.TraceNodes;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Decides what to do with the node-agent DaemonSet from the traces alone (level-based, no timers): pin
 * it to the nodes that need an agent, mark it idle when none does, delete it once it has been idle for
 * the grace period. The idle start is kept on the DaemonSet itself, so a restarted operator continues
 * the same countdown.
 */
final class AgentDaemonSetPlanner {

    private AgentDaemonSetPlanner() {}

    sealed interface Action {
        record None() implements Action {}

        record Create(DaemonSet desired) implements Action {}

        record Update(DaemonSet desired) implements Action {}

        record Delete() implements Action {}
    }

    record Plan(Action action, Optional<Duration> requeueAfter) {}

    /**
     * Nodes that need an agent: those hosting live targets of traces still running or pending, and
     * those whose agent has not yet detached from a trace that ended or is being deleted.
     */
    static SortedSet<String> nodesNeeded(Collection<PacketTrace> traces) {
        SortedSet<String> nodes = new TreeSet<>();
        for (PacketTrace t : traces) {
            boolean live = t.getMetadata().getDeletionTimestamp() == null
                    && !t.statusOrEmpty().phaseOrPending().isTerminal();
            if (live) {
                nodes.addAll(TraceNodes.of(t));
            }
            for (NodeStatus n : t.statusOrEmpty().nodes()) {
                if (n.state() != null && n.state().isActive()) {
                    nodes.add(n.node());
                }
            }
        }
        return nodes;
    }

    static Plan plan(
            OperatorConfig config,
            SortedSet<String> needed,
            Optional<DaemonSet> existing,
            Instant now,
            Optional<OwnerReference> owner) {
        if (!needed.isEmpty()) {
            DaemonSet desired = AgentDaemonSet.desired(config, needed, Optional.empty(), owner);
            if (existing.isEmpty()) {
                return new Plan(new Action.Create(desired), Optional.empty());
            }
            Map<String, String> ann = annotations(existing.get());
            boolean same = desired.getMetadata()
                    .getAnnotations()
                    .get(AgentDaemonSet.SPEC_HASH)
                    .equals(ann.get(AgentDaemonSet.SPEC_HASH));
            if (same && !ann.containsKey(AgentDaemonSet.IDLE_SINCE)) {
                return new Plan(new Action.None(), Optional.empty());
            }
            return new Plan(new Action.Update(desired), Optional.empty());
        }
        if (existing.isEmpty()) {
            return new Plan(new Action.None(), Optional.empty());
        }
        Optional<Instant> idleSince = Optional.ofNullable(
                        annotations(existing.get()).get(AgentDaemonSet.IDLE_SINCE))
                .flatMap(AgentDaemonSetPlanner::instant);
        if (idleSince.isEmpty()) {
            List<String> current = AgentDaemonSet.nodesOf(existing.get());
            if (current.isEmpty()) {
                return new Plan(new Action.Delete(), Optional.empty());
            }
            // Keep the agents where they are during the grace period: a follow-up trace starts at once.
            return new Plan(
                    new Action.Update(
                            AgentDaemonSet.desired(config, new TreeSet<>(current), Optional.of(now.toString()), owner)),
                    Optional.of(config.idleGracePeriod()));
        }
        Instant deadline = idleSince.get().plus(config.idleGracePeriod());
        if (!now.isBefore(deadline)) {
            return new Plan(new Action.Delete(), Optional.empty());
        }
        return new Plan(new Action.None(), Optional.of(Duration.between(now, deadline)));
    }

    private static Map<String, String> annotations(DaemonSet ds) {
        Map<String, String> a = ds.getMetadata().getAnnotations();
        return a == null ? Map.of() : a;
    }

    private static Optional<Instant> instant(String s) {
        try {
            return Optional.of(Instant.parse(s));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
