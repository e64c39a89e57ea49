// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import dev.packettrace.agent.netns.PodNetns;
import dev.packettrace.agent.netns.PodNetnsNotFound;
import dev.packettrace.agent.netns.PodNetnsResolution;
import dev.packettrace.agent.netns.ProcScan;
import dev.packettrace.api.v1alpha1.TargetState;
import dev.packettrace.api.v1alpha1.TargetStatus;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Finds where one target pod's packets are: its network namespace on this node, from one pass over the
 * node's processes. Compares with what was found before, so that a pod whose sandbox was recreated (a
 * restart, a re-creation under the same name) is followed into its new namespace and its state says so.
 */
final class TargetResolution {

    private TargetResolution() {}

    /**
     * @param target   the operator's entry for the pod (name, uid, node)
     * @param pod      the Pod object from the API, when the agent's cache has it on this node: its uid is the
     *                 live one (the status may lag a re-creation) and its running containers narrow the lookup
     * @param previous what this agent found for the pod last time, for this trace
     */
    static ResolvedTarget resolve(
            TargetStatus target, Optional<Pod> pod, ProcScan scan, Optional<ResolvedTarget> previous) {
        String uid = pod.map(p -> p.getMetadata().getUid())
                .filter(u -> u != null && !u.isEmpty())
                .orElse(target.podUid());
        PodNetnsResolution r;
        try {
            r = scan.resolve(uid);
            Set<String> running = runningContainerIds(pod);
            if (r instanceof PodNetns n
                    && !n.consistent()
                    && !running.isEmpty()
                    && scan.resolve(uid, running) instanceof PodNetns narrowed) {
                // Processes of an old and a new sandbox side by side: the running containers say which is current.
                r = narrowed;
            }
        } catch (IllegalArgumentException e) {
            return ResolvedTarget.of(target.pod(), String.valueOf(uid), Set.of(), TargetState.Failed, e.getMessage());
        }
        Optional<ResolvedTarget> before = previous.filter(p -> p.pod().equals(target.pod()));
        boolean hostNetworkSpec = pod.map(p ->
                        p.getSpec() != null && Boolean.TRUE.equals(p.getSpec().getHostNetwork()))
                .orElse(false);
        return switch (r) {
            case PodNetns n -> found(target.pod(), uid, n, hostNetworkSpec, before);
            case PodNetnsNotFound nf -> notFound(target.pod(), uid, nf, before);
        };
    }

    private static ResolvedTarget found(
            String pod, String uid, PodNetns n, boolean hostNetworkSpec, Optional<ResolvedTarget> before) {
        Set<Long> inodes = n.inodes();
        String several = n.consistent() ? "" : "; " + n.summary();
        if (n.hostNetwork() || hostNetworkSpec) {
            return ResolvedTarget.of(
                    pod,
                    uid,
                    inodes,
                    TargetState.HostNetwork,
                    "uses the host network: tracing the node's " + "namespace " + join(inodes)
                            + ", so the trace also sees the node's and every host-network pod's traffic" + several);
        }
        if (before.isPresent()) {
            ResolvedTarget b = before.get();
            if (!b.podUid().equals(uid)) {
                return ResolvedTarget.of(
                        pod,
                        uid,
                        inodes,
                        TargetState.Restarted,
                        "the pod was recreated (uid " + b.podUid() + " -> " + uid
                                + "); now tracing its network namespace " + join(inodes) + several);
            }
            if (!b.netns().isEmpty() && !b.netns().equals(inodes)) {
                return ResolvedTarget.of(
                        pod,
                        uid,
                        inodes,
                        TargetState.Restarted,
                        "its network namespace changed from " + join(b.netns()) + " to " + join(inodes)
                                + " (the pod sandbox was recreated); now tracing the new one" + several);
            }
            if (b.state() == TargetState.Restarted) {
                // Stays Restarted for the rest of the trace: what happened to the pod is part of the answer.
                String m = b.message().orElse("the pod restarted");
                return ResolvedTarget.of(
                        pod,
                        uid,
                        inodes,
                        TargetState.Restarted,
                        m.startsWith("waiting")
                                ? "restarted; now tracing its network namespace " + join(inodes) + several
                                : m);
            }
        }
        return ResolvedTarget.of(
                pod, uid, inodes, TargetState.Tracing, several.isEmpty() ? null : several.substring(2));
    }

    private static ResolvedTarget notFound(
            String pod, String uid, PodNetnsNotFound nf, Optional<ResolvedTarget> before) {
        if (!nf.problems().isEmpty()) {
            return ResolvedTarget.of(pod, uid, Set.of(), TargetState.Failed, nf.summary());
        }
        if (before.isPresent()
                && (!before.get().netns().isEmpty() || before.get().state() == TargetState.Restarted)) {
            return ResolvedTarget.of(
                    pod,
                    uid,
                    Set.of(),
                    TargetState.Restarted,
                    "waiting for the pod's new network namespace: "
                            + "its processes are gone from this node (restarting?); last traced "
                            + join(before.get().netns()));
        }
        return ResolvedTarget.of(
                pod, uid, Set.of(), TargetState.Scheduled, "waiting for the pod's processes: " + nf.reason());
    }

    /** Container IDs of the pod's running containers, as the kubelet reports them (runtime://id). */
    static Set<String> runningContainerIds(Optional<Pod> pod) {
        if (pod.isEmpty() || pod.get().getStatus() == null) {
            return Set.of();
        }
        var status = pod.get().getStatus();
        return Stream.of(status.getContainerStatuses(), status.getEphemeralContainerStatuses())
                .filter(l -> l != null)
                .flatMap(List::stream)
                .filter(c -> c.getContainerID() != null && !c.getContainerID().isEmpty())
                .filter(c -> c.getState() == null || c.getState().getRunning() != null)
                .map(ContainerStatus::getContainerID)
                .collect(Collectors.toUnmodifiableSet());
    }

    private static String join(Set<Long> inodes) {
        return inodes.isEmpty()
                ? "(none)"
                : inodes.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }
}
