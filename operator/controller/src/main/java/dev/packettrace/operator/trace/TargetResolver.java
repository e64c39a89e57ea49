// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.operator.trace;

import dev.packettrace.api.v1alpha1.TargetState;
import dev.packettrace.api.v1alpha1.TargetStatus;
import dev.packettrace.api.validation.TraceRequest;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Works out a trace's target pods from the pods of its own namespace (the caller never passes pods of
 * another namespace: that is the isolation boundary), what the node agents reported about them, and
 * the previous status, so that pods that start matching are added and pods that go away stay listed
 * as Gone.
 */
final class TargetResolver {

    private TargetResolver() {}

    /**
     * @param namespacePods  every pod of the trace's namespace
     * @param reported       what node agents said about target pods, by pod uid
     * @param previous       the targets of the previous status
     */
    static List<TargetStatus> resolve(
            String namespace,
            TraceRequest.Targets spec,
            List<Pod> namespacePods,
            Map<String, TargetStatus> reported,
            List<TargetStatus> previous) {
        Map<String, TargetStatus> previousByName = new LinkedHashMap<>();
        for (TargetStatus t : previous) {
            previousByName.putIfAbsent(t.pod(), t);
        }
        List<TargetStatus> result = new ArrayList<>();
        Set<String> liveNames = new HashSet<>();
        namespacePods.stream()
                .filter(p -> namespace.equals(p.getMetadata().getNamespace()))
                .filter(p -> isTarget(spec, p))
                .filter(TargetResolver::isAlive)
                .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
                .forEach(p -> {
                    liveNames.add(p.getMetadata().getName());
                    result.add(live(
                            p,
                            reported.get(p.getMetadata().getUid()),
                            previousByName.get(p.getMetadata().getName())));
                });
        for (TargetStatus prev : previous) {
            if (!liveNames.contains(prev.pod()) && prev.podUid() != null) {
                result.add(
                        prev.state() == TargetState.Gone
                                ? prev
                                : new TargetStatus(
                                        prev.pod(),
                                        prev.podUid(),
                                        prev.node(),
                                        prev.netnsInode(),
                                        TargetState.Gone,
                                        "the pod was deleted, finished or no longer matches spec.targets"));
            }
        }
        for (String name : spec.podNames()) {
            boolean known = result.stream().anyMatch(t -> t.pod().equals(name));
            if (!known) {
                result.add(new TargetStatus(
                        name,
                        null,
                        null,
                        null,
                        TargetState.Pending,
                        "no pod named " + name + " in namespace " + namespace + " (yet)"));
            }
        }
        return result;
    }

    static boolean isTarget(TraceRequest.Targets spec, Pod p) {
        return spec.podNames().contains(p.getMetadata().getName())
                || spec.podSelector()
                        .map(s -> Selectors.matches(s, p.getMetadata().getLabels()))
                        .orElse(false);
    }

    /** A pod whose containers all ended has no network namespace left to trace. */
    private static boolean isAlive(Pod p) {
        String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
        return !"Succeeded".equals(phase) && !"Failed".equals(phase);
    }

    private static TargetStatus live(Pod p, TargetStatus report, TargetStatus previous) {
        String name = p.getMetadata().getName();
        String uid = p.getMetadata().getUid();
        String node = p.getSpec() == null ? null : p.getSpec().getNodeName();
        if (report != null && node != null && node.equals(report.node())) {
            return new TargetStatus(name, uid, node, report.netnsInode(), report.state(), report.message());
        }
        if (node == null || node.isEmpty()) {
            return new TargetStatus(name, uid, null, null, TargetState.Pending, "waiting for the pod to be scheduled");
        }
        if (previous != null && previous.podUid() != null && !previous.podUid().equals(uid)) {
            return new TargetStatus(
                    name,
                    uid,
                    node,
                    null,
                    TargetState.Restarted,
                    "recreated as a new pod on " + node
                            + "; waiting for the agent to resolve its new network namespace");
        }
        if (previous != null
                && previous.podUid() != null
                && previous.node() != null
                && !previous.node().equals(node)) {
            return new TargetStatus(
                    name, uid, node, null, TargetState.Restarted, "moved to " + node + "; waiting for its agent");
        }
        if (Boolean.TRUE.equals(p.getSpec().getHostNetwork())) {
            return new TargetStatus(
                    name,
                    uid,
                    node,
                    null,
                    TargetState.HostNetwork,
                    "uses the host network: its network namespace is node " + node
                            + "'s, so the trace sees the node's traffic");
        }
        if (previous != null
                && uid.equals(previous.podUid())
                && previous.state() != TargetState.Gone
                && previous.state() != TargetState.Pending) {
            return previous; // keep what the agent said last until it says something new
        }
        return new TargetStatus(name, uid, node, null, TargetState.Scheduled, "waiting for the node agent on " + node);
    }
}
