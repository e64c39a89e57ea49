// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import dev.packettrace.api.report.AgentProtocol;
import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.api.v1alpha1.TargetState;
import dev.packettrace.api.v1alpha1.TargetStatus;
import dev.packettrace.api.validation.PacketTraceSpecValidator;
import dev.packettrace.api.validation.SpecValidation;
import dev.packettrace.api.validation.TraceRequest;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * A trace's target pods on this node. Normally that is the operator's list (status.targets); when the operator
 * had to shorten the list to keep the status small (targetsOmitted &gt; 0), the pods it left out may include
 * some on this node, so the agent asks the API server for the pods on its node that match spec.targets.
 * Answers are kept for {@link #maxAge}, so that a busy node does not list pods on every change.
 */
final class OmittedTargets {

    /** Lists the pods of one namespace on one node that match a trace's spec.targets (the API server evaluates the selector). */
    @FunctionalInterface
    interface PodQuery {
        List<Pod> podsOnNode(String namespace, TraceRequest.Targets targets, String node);
    }

    private final PodQuery query;
    private final LongSupplier nanos;
    private final Duration maxAge;
    private final Map<String, Cached> cache = new HashMap<>();

    OmittedTargets(PodQuery query, LongSupplier nanos, Duration maxAge) {
        this.query = Objects.requireNonNull(query, "query");
        this.nanos = Objects.requireNonNull(nanos, "nanos");
        this.maxAge = Objects.requireNonNull(maxAge, "maxAge");
    }

    /** The operator's targets on this node, plus, when its list is shortened, the matching pods it left out. */
    List<TargetStatus> targetsOn(PacketTrace trace, String node) {
        List<TargetStatus> listed = AgentProtocol.targetsOn(trace, node);
        if (AgentProtocol.targetListComplete(trace)
                || !(PacketTraceSpecValidator.validate(trace.getSpec()) instanceof SpecValidation.Valid valid)) {
            return listed;
        }
        Map<String, TargetStatus> all = new LinkedHashMap<>();
        listed.forEach(t -> all.put(t.pod(), t));
        for (Pod p : queried(trace, valid.request().targets(), node)) {
            all.putIfAbsent(
                    p.getMetadata().getName(),
                    new TargetStatus(
                            p.getMetadata().getName(),
                            p.getMetadata().getUid(),
                            node,
                            null,
                            TargetState.Scheduled,
                            "left out of status.targets by the operator; found by the agent"));
        }
        return List.copyOf(all.values());
    }

    /** Forgets traces that are gone, so the cache stays as small as the set of live traces. */
    void retain(Set<String> uids) {
        cache.keySet().retainAll(uids);
    }

    private List<Pod> queried(PacketTrace trace, TraceRequest.Targets targets, String node) {
        String uid = trace.getMetadata().getUid();
        long now = nanos.getAsLong();
        Cached c = cache.get(uid);
        if (c == null || now - c.atNanos() >= maxAge.toNanos()) {
            List<Pod> pods = new ArrayList<>();
            for (Pod p : query.podsOnNode(trace.getMetadata().getNamespace(), targets, node)) {
                String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
                boolean ended = "Succeeded".equals(phase) || "Failed".equals(phase);
                if (!ended
                        && p.getSpec() != null
                        && node.equals(p.getSpec().getNodeName())
                        && p.getMetadata().getUid() != null) {
                    pods.add(p);
                }
            }
            c = new Cached(List.copyOf(pods), now);
            cache.put(uid, c);
        }
        return c.pods();
    }

    private record Cached(List<Pod> pods, long atNanos) {}
}
