// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.operator;

import dev.packettrace.api.v1alpha1.AgentState;
import dev.packettrace.api.v1alpha1.DropGroup;
import dev.packettrace.api.v1alpha1.NodeReport;
import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.api.v1alpha1.PacketTraceSpec;
import dev.packettrace.api.v1alpha1.TargetSpec;
import dev.packettrace.api.v1alpha1.TargetState;
import dev.packettrace.api.v1alpha1.TargetStatus;
import dev.packettrace.api.v1alpha1.TraceEvent;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.List;
import java.util.Map;

public final class Fixtures {

    private Fixtures() {}

    public static Pod pod(KubernetesClient client, String ns, String name, String node, Map<String, String> labels) {
        return client.resource(new PodBuilder()
                        .withNewMetadata()
                        .withNamespace(ns)
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

    public static PacketTraceSpec selectorSpec(String app, String duration) {
        return new PacketTraceSpec(
                new TargetSpec(
                        new LabelSelectorBuilder()
                                .withMatchLabels(Map.of("app", app))
                                .build(),
                        List.of()),
                null,
                null,
                duration,
                null,
                null);
    }

    public static PacketTrace trace(KubernetesClient client, String ns, String name, PacketTraceSpec spec) {
        return client.resource(PacketTrace.of(ns, name, spec)).create();
    }

    public static PacketTrace get(KubernetesClient client, PacketTrace t) {
        return client.resources(PacketTrace.class)
                .inNamespace(t.getMetadata().getNamespace())
                .withName(t.getMetadata().getName())
                .get();
    }

    public static NodeReport report(
            PacketTrace t, String node, AgentState state, long events, long drops, Instant time, List<Pod> pods) {
        return new NodeReport(
                t.getMetadata().getName(),
                t.getMetadata().getUid(),
                node,
                1L,
                state,
                "tracepoint",
                2,
                events,
                0L,
                drops,
                drops == 0 ? List.of() : List.of(new DropGroup("NETFILTER_DROP", "nf_hook_slow+0x9c", drops, null)),
                drops == 0
                        ? List.of()
                        : List.of(new TraceEvent(
                                time.toString(),
                                node,
                                pods.isEmpty()
                                        ? null
                                        : pods.getFirst().getMetadata().getName(),
                                "skb:kfree_skb",
                                "eth0",
                                "10.0.0.1:40000->10.0.0.2:80/tcp",
                                "NETFILTER_DROP",
                                "nf_hook_slow+0x9c")),
                pods.stream()
                        .map(p -> new TargetStatus(
                                p.getMetadata().getName(),
                                p.getMetadata().getUid(),
                                node,
                                4026532100L,
                                TargetState.Tracing,
                                null))
                        .toList(),
                null,
                time.toString());
    }
}
