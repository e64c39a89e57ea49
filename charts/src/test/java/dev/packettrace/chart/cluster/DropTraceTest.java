// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.chart.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.packettrace.api.v1alpha1.DropGroup;
import dev.packettrace.api.v1alpha1.NodeStatus;
import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.api.v1alpha1.PacketTraceStatus.Phase;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The product's story on a real cluster: a client pod's TCP connections to a server pod die on an iptables
 * DROP in the server's network namespace; a PacketTrace naming the server, applied with kubectl, brings up
 * the agent DaemonSet on the node, attaches, and ends Completed with NETFILTER_DROP at a netfilter function
 * in its status and every event in the sink (the agent's standard output); deleting a trace detaches
 * everything from the kernel.
 */
@Tag(ClusterLab.TAG)
class DropTraceTest {

    static final String NAMESPACE = "drop-e2e";

    @RegisterExtension
    static final LabNamespace LAB = LabNamespace.withDropScenario(NAMESPACE);

    static KubernetesClient client;

    @BeforeAll
    static void client() {
        client = LAB.client();
    }

    static PacketTrace waitForPhase(String name, Phase phase, int seconds) {
        return client.resources(PacketTrace.class)
                .inNamespace(NAMESPACE)
                .withName(name)
                .waitUntilCondition(
                        t -> t != null && t.getStatus() != null && t.getStatus().phase() == phase,
                        seconds,
                        TimeUnit.SECONDS);
    }

    @Test
    void traceEndsCompletedWithTheNetfilterDropAndEveryEventInTheSink() {
        ClusterLab.kubectlWithInput(
                        DropScenario.traceOfServer("server-drops", "15s"), "apply", "-n", NAMESPACE, "-f", "-")
                .requireSuccess();

        waitForPhase("server-drops", Phase.Running, 180);
        Pod agent = LabRelease.agent(client);
        assertEquals("Running", agent.getStatus().getPhase());
        assertEquals(ClusterLab.NODE, agent.getSpec().getNodeName());

        var status = LabTraces.awaitFinal(client, NAMESPACE, "server-drops", 120);
        assertTrue(
                status.conditions().stream()
                        .anyMatch(c ->
                                c.getType().equals("Completed") && c.getStatus().equals("True")),
                status.conditions().toString());
        List<DropGroup> netfilter = status.summary().dropsByReason().stream()
                .filter(d -> d.reason().equals("NETFILTER_DROP"))
                .toList();
        assertFalse(netfilter.isEmpty(), "drops by reason: " + status.summary().dropsByReason());
        assertTrue(
                netfilter.getFirst().location().matches(LabTraces.NETFILTER_LOCATION),
                netfilter.getFirst().location());
        NodeStatus node = status.nodes().getFirst();
        assertEquals(ClusterLab.NODE, node.node());

        // the sink: one JSON line per event, tagged with the trace; as many as the status counted
        List<JsonNode> events = LabRelease.sinkEvents(agent, NAMESPACE + "/server-drops");
        assertEquals(0L, status.summary().lost(), "nothing lost at this rate");
        assertEquals(status.summary().events(), (long) events.size(), "every counted event is in the sink");
        assertTrue(events.stream().allMatch(e -> e.path("pod").asText().equals(NAMESPACE + "/server")));
        long sinkDrops = events.stream()
                .filter(e -> e.path("dropReason").asText().equals("NETFILTER_DROP"))
                .count();
        assertEquals(
                netfilter.stream().mapToLong(DropGroup::count).sum(), sinkDrops, "the sink's drops are the status's");
    }

    @Test
    void deletingARunningTraceDetachesEverythingFromTheKernel() {
        ClusterLab.kubectlWithInput(
                        DropScenario.traceOfServer("long-trace", "10m"), "apply", "-n", NAMESPACE, "-f", "-")
                .requireSuccess();
        waitForPhase("long-trace", Phase.Running, 180);
        assertFalse(LabNode.loadedTracerPrograms().isEmpty(), "the agent attached while the trace runs");

        // kubectl delete waits for the finalizer: the operator removes it once the agents have detached
        ClusterLab.kubectl("delete", "pt", "long-trace", "-n", NAMESPACE, "--wait=true", "--timeout=120s")
                .requireSuccess();
        assertEquals(List.of(), LabNode.loadedTracerPrograms(), "bpftool prog show: none of packettrace's programs");
    }
}
