// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.report;

import dev.packettrace.api.rbac.RequiresRbac;
import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.api.v1alpha1.PacketTraceStatus;
import dev.packettrace.api.v1alpha1.TargetState;
import dev.packettrace.api.v1alpha1.TargetStatus;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

/**
 * The node agent's side of the contract with the operator, in one place. The agent watches
 * PacketTraces; for each trace it should trace ({@link #shouldTrace}) it traces the target pods on its
 * node ({@link #targetsOn}), and every {@link #REPORT_INTERVAL} at most it publishes a full snapshot
 * with {@link NodeReportPublisher}. When a trace stops being one to trace (it completed, failed or is
 * being deleted) the agent detaches and publishes a last report with state Detached: the operator's
 * finalizer waits for exactly that before it lets a deleted trace go.
 */
@RequiresRbac(
        subject = RequiresRbac.Subject.AGENT,
        apiGroup = "packettrace.dev",
        resource = "packettraces",
        verbs = {"get", "list", "watch"},
        why = "watch the traces, their targets (status.targets) and their end")
@RequiresRbac(
        subject = RequiresRbac.Subject.AGENT,
        apiGroup = "",
        resource = "pods",
        verbs = {"get", "list", "watch"},
        why =
                "list the pods on its own node (field selector spec.nodeName) when status.targets was shortened (targetsOmitted > 0)")
public final class AgentProtocol {

    /** Reports are written at most this often per trace and node, plus once on every state change. */
    public static final Duration REPORT_INTERVAL = Duration.ofSeconds(5);

    private AgentProtocol() {}

    /** True while agents should be attached: accepted, not ended, not being deleted. */
    public static boolean shouldTrace(PacketTrace trace) {
        if (trace.getMetadata().getDeletionTimestamp() != null || trace.getStatus() == null) {
            return false; // no status yet: the operator has not validated and admitted it
        }
        PacketTraceStatus.Phase phase = trace.getStatus().phaseOrPending();
        return !phase.isTerminal() && trace.getStatus().limits() != null;
    }

    /** The target pods the operator placed on this node (pod uid identifies the instance to resolve). */
    public static List<TargetStatus> targetsOn(PacketTrace trace, String node) {
        return trace.statusOrEmpty().targets().stream()
                .filter(t -> node.equals(t.node()) && t.podUid() != null && t.state() != TargetState.Gone)
                .toList();
    }

    /** False when the status list was shortened to stay small: the agent must then list its node's pods itself. */
    public static boolean targetListComplete(PacketTrace trace) {
        Integer omitted = trace.statusOrEmpty().targetsOmitted();
        return omitted == null || omitted == 0;
    }

    /** The event budget in force after the operator's caps (status.limits), when admitted. */
    public static OptionalLong maxEvents(PacketTrace trace) {
        PacketTraceStatus.Limits l = trace.statusOrEmpty().limits();
        return l == null || l.maxEvents() == null ? OptionalLong.empty() : OptionalLong.of(l.maxEvents());
    }
}
