// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.chart.cluster;

import dev.packettrace.api.v1alpha1.AgentState;
import dev.packettrace.api.v1alpha1.DropGroup;
import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.api.v1alpha1.PacketTraceStatus;
import dev.packettrace.api.v1alpha1.PacketTraceStatus.Phase;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Waiting for a PacketTrace's status, through a watch of the API server (never by sleeping). */
final class LabTraces {

    /** Where netfilter drops a packet: nf_hook_slow with legacy iptables, nft_do_chain with nftables. */
    static final String NETFILTER_LOCATION = "(nf_|nft_|ipt_|ip6t_)\\w+\\+0x[0-9a-f]+";

    private LabTraces() {}

    /** The trace once its status satisfies {@code until}; fails after {@code seconds}. */
    static PacketTraceStatus await(
            KubernetesClient client, String namespace, String name, int seconds, Predicate<PacketTraceStatus> until) {
        PacketTrace trace = client.resources(PacketTrace.class)
                .inNamespace(namespace)
                .withName(name)
                .waitUntilCondition(
                        t -> t != null && t.getStatus() != null && until.test(t.getStatus()),
                        seconds,
                        TimeUnit.SECONDS);
        return trace.getStatus();
    }

    /**
     * The status of a trace that ended Completed once its counts are final: Completed comes when the duration is
     * over, the counts once every agent's last report (Detached) is in, up to one report interval later.
     */
    static PacketTraceStatus awaitFinal(KubernetesClient client, String namespace, String name, int seconds) {
        return await(
                client,
                namespace,
                name,
                seconds,
                s -> s.phase() == Phase.Completed
                        && !s.nodes().isEmpty()
                        && s.nodes().stream().allMatch(n -> n.state() == AgentState.Detached));
    }

    static PacketTraceStatus awaitPhase(KubernetesClient client, String namespace, String name, Phase phase) {
        return await(client, namespace, name, 180, s -> s.phase() == phase);
    }

    /** The status's drop groups of {@code reason} (empty before the first drop). */
    static List<DropGroup> drops(PacketTraceStatus status, String reason) {
        return status.summary() == null
                ? List.of()
                : status.summary().dropsByReason().stream()
                        .filter(d -> d.reason().equals(reason))
                        .toList();
    }

    static Predicate<PacketTraceStatus> hasDrop(String reason) {
        return s -> !drops(s, reason).isEmpty();
    }
}
