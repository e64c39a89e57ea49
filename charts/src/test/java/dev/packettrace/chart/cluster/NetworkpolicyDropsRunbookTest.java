// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.chart.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * docs/runbooks/networkpolicy-drops.md, followed step by step on the lab: two clients, web and batch,
 * connect to api:8443; a rule in api's namespace refuses batch, as an iptables-programming policy engine's
 * rule would. The runbook's trace names NETFILTER_DROP at a netfilter function, and its tuples of the
 * dropped events name the refused client, never the allowed one.
 */
@Tag(ClusterLab.TAG)
class NetworkpolicyDropsRunbookTest {

    @RegisterExtension
    static final LabNamespace LAB = LabNamespace.empty("backend");

    @Test
    void theDroppedTuplesNameTheRefusedClient() {
        Runbook runbook = Runbook.read("networkpolicy-drops");
        KubernetesClient client = LAB.client();
        Pod api = LabPods.run(client, LAB.name(), "api", "httpd", "-f", "-p", "8443", "-h", "/tmp");
        String apiIp = api.getStatus().getPodIP();
        Pod web = LabPods.run(client, LAB.name(), "web", LabPods.connectingTo(apiIp, 8443, "0.5"));
        Pod batch = LabPods.run(client, LAB.name(), "batch", LabPods.connectingTo(apiIp, 8443, "0.5"));
        LabNode.iptablesInPod(api, "INPUT -s " + batch.getStatus().getPodIP() + " -p tcp --dport 8443 -j DROP");

        runbook.applyTraces();
        LabTraces.await(client, LAB.name(), "api-policy-drops", 180, LabTraces.hasDrop("NETFILTER_DROP"));

        // the read block: the verdict, the drops by reason (one line each), the recent events with a reason
        List<String> read = runbook.run(0);
        assertTrue(
                read.getFirst()
                        .matches("\\d+ drops? in \\d+ events?; all NETFILTER_DROP at " + LabTraces.NETFILTER_LOCATION
                                + " on node " + ClusterLab.NODE + "\\."),
                read.toString());
        assertTrue(
                read.get(1).matches("\\d+ NETFILTER_DROP " + LabTraces.NETFILTER_LOCATION + " nodes=1"),
                read.toString());
        runbook.assertSays("`NETFILTER_DROP` at a netfilter function");

        List<String> dropped = read.subList(2, read.size());
        assertFalse(dropped.isEmpty(), "recent events with a drop reason: " + read);
        String refused = "api " + Pattern.quote(batch.getStatus().getPodIP()) + ":\\d+->" + Pattern.quote(apiIp)
                + ":8443/tcp NETFILTER_DROP";
        for (String line : dropped) {
            assertTrue(
                    line.matches(refused),
                    "a dropped tuple of the refused client, not of web ("
                            + web.getStatus().getPodIP() + "): " + line);
        }
        runbook.assertSays("The tuples of the dropped events name the clients that were refused");
    }
}
