// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.chart.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.packettrace.api.v1alpha1.DropGroup;
import dev.packettrace.api.v1alpha1.PacketTraceStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * spec.output.events: drops on a real node. The trace names its pod and nothing else, so the agent's tracer counts
 * every hit in the kernel and streams only the drops: the status counts every packet the pod's namespace saw, the
 * sink and status.recentEvents hold only the drops, and the sink holds every drop the status counted.
 */
@Tag(ClusterLab.TAG)
class KernelCountedTraceTest {

    static final String NAMESPACE = "kernel-counts";

    @RegisterExtension
    static final LabNamespace LAB = LabNamespace.withDropScenario(NAMESPACE);

    @Test
    void aDropsOnlyTraceCountsEveryPacketAndStreamsOnlyTheDrops() {
        KubernetesClient client = LAB.client();
        ClusterLab.kubectlWithInput("""
                apiVersion: packettrace.dev/v1alpha1
                kind: PacketTrace
                metadata: {name: drops-only}
                spec:
                  targets: {podNames: [server]}
                  duration: 15s
                  output: {events: drops}
                """, "apply", "-n", NAMESPACE, "-f", "-").requireSuccess();

        PacketTraceStatus done = LabTraces.awaitFinal(client, NAMESPACE, "drops-only", 240);
        var summary = done.summary();
        List<DropGroup> netfilter = summary.dropsByReason().stream()
                .filter(d -> d.reason().equals("NETFILTER_DROP"))
                .toList();
        assertFalse(netfilter.isEmpty(), "drops by reason: " + summary.dropsByReason());
        assertTrue(
                netfilter.getFirst().location().matches(LabTraces.NETFILTER_LOCATION),
                netfilter.getFirst().location());
        assertTrue(summary.events() > summary.drops(), "every packet is counted, not only the drops: " + summary);
        assertFalse(done.recentEvents().isEmpty(), "the drops are among the recent events");
        assertTrue(
                done.recentEvents().stream().allMatch(e -> e.reason() != null),
                "only drops are kept: " + done.recentEvents());

        Pod agent = LabRelease.agent(client);
        List<JsonNode> events = LabRelease.sinkEvents(agent, NAMESPACE + "/drops-only");
        assertTrue(events.stream().allMatch(e -> e.has("dropReason")), "only drops in the sink");
        assertEquals(summary.drops(), (long) events.size(), "every counted drop is in the sink");
        String log = ClusterLab.kubectl(
                        "logs", "-n", LabRelease.NAMESPACE, agent.getMetadata().getName())
                .requireSuccess()
                .stdout();
        assertTrue(
                log.lines().anyMatch(l -> l.contains("tracer=started") && l.contains("events=drops")),
                "the agent's tracer streamed only drops from the kernel");
    }
}
