// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.chart.cluster;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.api.v1alpha1.PacketTraceStatus.Phase;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * docs/runbooks/pod-cannot-reach-service.md, followed step by step on the lab: Service payments (the
 * runbook's own ClusterIP, 10.96.12.34:8080) selects no pod, so the lab's kube-proxy rejects connections to
 * it on the node. The runbook's collect step shows no endpoints; its trace of the checkout Deployment follows
 * the packets out of the pod (trackSkb) to the NETFILTER_DROP on the node's bridge, tuple still the ClusterIP.
 */
@Tag(ClusterLab.TAG)
class PodCannotReachServiceRunbookTest {

    @RegisterExtension
    static final LabNamespace LAB = LabNamespace.empty("shop");

    private static final String CLUSTER_IP = "10.96.12.34";

    @Test
    void aServiceWithoutEndpointsIsRejectedOnTheNode() {
        Runbook runbook = Runbook.read("pod-cannot-reach-service");
        KubernetesClient client = LAB.client();
        ClusterLab.kubectl(
                        "create",
                        "service",
                        "clusterip",
                        "payments",
                        "-n",
                        LAB.name(),
                        "--tcp=8080:8080",
                        "--clusterip=" + CLUSTER_IP)
                .requireSuccess();
        ClusterLab.kubectl(
                        "create",
                        "deployment",
                        "checkout",
                        "-n",
                        LAB.name(),
                        "--image=" + ClusterLab.BUSYBOX,
                        "--",
                        "sleep",
                        "3600")
                .requireSuccess();
        client.apps().deployments().inNamespace(LAB.name()).withName("checkout").waitUntilReady(120, TimeUnit.SECONDS);

        List<String> collected = runbook.run(0);
        assertTrue(
                collected.stream()
                        .anyMatch(l -> l.matches("payments\\s+ClusterIP\\s+" + CLUSTER_IP.replace(".", "\\.")
                                + "\\s+<none>\\s+8080/TCP\\s.*")),
                collected.toString());
        assertTrue(
                collected.stream().anyMatch(l -> l.matches("payments-\\w+\\s+IPv4\\s+<unset>\\s+<unset>\\s.*")),
                "no endpoints: " + collected);
        runbook.assertSays("e.g. " + CLUSTER_IP + ":8080");
        runbook.assertSays("No endpoints means no traffic can be delivered");

        runbook.applyTraces();
        LabTraces.awaitPhase(client, LAB.name(), "checkout-to-payments", Phase.Running);
        // reproduce while the trace runs; kube-proxy's REJECT answers it, so the client fails
        ClusterLab.Result request = ClusterLab.kubectl(
                "exec", "-n", LAB.name(), "deploy/checkout", "--", "nc", "-w", "5", CLUSTER_IP, "8080");
        assertNotEquals(0, request.exitCode(), "nothing can answer a Service without endpoints");
        LabTraces.await(client, LAB.name(), "checkout-to-payments", 60, LabTraces.hasDrop("NETFILTER_DROP"));

        List<String> verdict = runbook.run(1);
        assertTrue(
                verdict.getFirst()
                        .matches("\\d+ drops? in \\d+ events?; all NETFILTER_DROP at " + LabTraces.NETFILTER_LOCATION
                                + " on node " + ClusterLab.NODE + "\\."),
                verdict.toString());
        String rejected = "skb:kfree_skb ptlab0 \\S+->" + CLUSTER_IP.replace(".", "\\.") + ":8080/tcp NETFILTER_DROP "
                + LabTraces.NETFILTER_LOCATION;
        List<String> events = verdict.subList(1, verdict.size());
        assertTrue(events.stream().anyMatch(l -> l.matches(rejected)), "dropped on the node's bridge: " + events);
        runbook.assertSays("on a node interface such as the pods' bridge | a netfilter rule on the node dropped them:"
                + " kube-proxy's `KUBE-SERVICES` reject for a Service without endpoints");
    }
}
