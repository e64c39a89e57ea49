// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import dev.packettrace.api.report.ReportNames;
import dev.packettrace.api.v1alpha1.FilterSpec;
import dev.packettrace.api.v1alpha1.NodeReport;
import dev.packettrace.api.v1alpha1.OutputSpec;
import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.api.v1alpha1.PacketTraceReport;
import dev.packettrace.api.v1alpha1.PacketTraceSpec;
import dev.packettrace.api.v1alpha1.PacketTraceStatus;
import dev.packettrace.api.v1alpha1.SinkSpec;
import dev.packettrace.api.v1alpha1.Summary;
import dev.packettrace.api.v1alpha1.TargetSpec;
import dev.packettrace.api.v1alpha1.TargetState;
import dev.packettrace.api.v1alpha1.TargetStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Optional;

/**
 * The API side of the agent tests, written against KubernetesClient so that a real API server could stand in
 * for the mock: pods, traces whose status says what the operator would (phase, limits, targets per node),
 * and the node reports the agent writes.
 */
record Cluster(KubernetesClient client) {

    Pod pod(String namespace, String name, String node) {
        return pod(namespace, name, node, java.util.Map.of());
    }

    Pod pod(String namespace, String name, String node, java.util.Map<String, String> labels) {
        return client.resource(new PodBuilder()
                        .withNewMetadata()
                        .withNamespace(namespace)
                        .withName(name)
                        .withLabels(labels)
                        .endMetadata()
                        .withNewSpec()
                        .withNodeName(node)
                        .addNewContainer()
                        .withName("app")
                        .withImage("app")
                        .endContainer()
                        .endSpec()
                        .withNewStatus()
                        .withPhase("Running")
                        .endStatus()
                        .build())
                .create();
    }

    PacketTrace trace(String namespace, String name, FilterSpec filter, SinkSpec sink, List<String> podNames) {
        return trace(namespace, name, new TargetSpec(null, podNames), filter, sink);
    }

    PacketTrace trace(String namespace, String name, TargetSpec targets, FilterSpec filter, SinkSpec sink) {
        return trace(namespace, name, targets, filter, sink, new OutputSpec(true, false, false, 1000L, 5, false));
    }

    PacketTrace trace(
            String namespace, String name, TargetSpec targets, FilterSpec filter, SinkSpec sink, OutputSpec output) {
        PacketTraceSpec spec = new PacketTraceSpec(targets, filter, output, "5m", null, sink);
        return client.resource(PacketTrace.of(namespace, name, spec)).create();
    }

    /** A trace of these pods with the given spec.backend ("auto", "tracepoint"). */
    PacketTrace trace(String namespace, String name, FilterSpec filter, List<String> podNames, String backend) {
        PacketTraceSpec spec = new PacketTraceSpec(
                new TargetSpec(null, podNames),
                filter,
                new OutputSpec(true, false, false, 1000L, 5, false),
                "5m",
                backend,
                null);
        return client.resource(PacketTrace.of(namespace, name, spec)).create();
    }

    PacketTrace trace(String namespace, String name, FilterSpec filter, List<String> podNames) {
        return trace(namespace, name, filter, null, podNames);
    }

    /** Writes the status the operator would: admitted (limits), the given phase, these pods as targets. */
    PacketTrace status(PacketTrace t, PacketTraceStatus.Phase phase, long maxEvents, Pod... targets) {
        return status(t, phase, maxEvents, 0, targets);
    }

    /** As above, with {@code omitted} more targets that the operator left out of the list to keep the status small. */
    PacketTrace status(PacketTrace t, PacketTraceStatus.Phase phase, long maxEvents, int omitted, Pod... targets) {
        PacketTrace now = get(t).orElseThrow();
        List<TargetStatus> ts = java.util.Arrays.stream(targets)
                .map(p -> new TargetStatus(
                        p.getMetadata().getName(),
                        p.getMetadata().getUid(),
                        p.getSpec().getNodeName(),
                        null,
                        TargetState.Scheduled,
                        null))
                .toList();
        now.setStatus(new PacketTraceStatus(
                phase,
                now.getMetadata().getGeneration(),
                List.of(),
                null,
                null,
                new PacketTraceStatus.Limits("5m", maxEvents, null),
                ts.size() + omitted,
                1,
                ts,
                omitted,
                List.of(),
                0,
                Summary.empty(),
                List.of()));
        return client.resource(now).updateStatus();
    }

    Optional<PacketTrace> get(PacketTrace t) {
        return Optional.ofNullable(client.resources(PacketTrace.class)
                .inNamespace(t.getMetadata().getNamespace())
                .withName(t.getMetadata().getName())
                .get());
    }

    /** The node's report for the trace, as the agent last wrote it. */
    Optional<NodeReport> report(PacketTrace t, String node) {
        PacketTraceReport r = client.resources(PacketTraceReport.class)
                .inNamespace(t.getMetadata().getNamespace())
                .withName(ReportNames.reportName(t.getMetadata().getName(), node))
                .get();
        return Optional.ofNullable(r).map(PacketTraceReport::getSpec);
    }

    List<PacketTraceReport> reports(String namespace) {
        return client.resources(PacketTraceReport.class)
                .inNamespace(namespace)
                .list()
                .getItems();
    }
}
