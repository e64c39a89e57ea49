// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.chart.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.api.v1alpha1.PacketTraceStatus.Phase;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * docs/runbooks/mtu-and-fragmentation.md, followed step by step on the lab: the node routes a documentation
 * prefix over an interface with a 1280-byte MTU (as a tunnel would be), and the uploader pod, which believes
 * its path MTU is 1500, pings across it with 1400-byte payloads. The runbook's trace follows the packets out of
 * the pod and shows the node's PKT_TOO_BIG drop at ip_forward, and the "fragmentation needed" arriving back.
 */
@Tag(ClusterLab.TAG)
class MtuAndFragmentationRunbookTest {

    @RegisterExtension
    static final LabNamespace LAB = LabNamespace.empty("media");

    private static final String TUNNEL = "ptlab-mtu0";
    private static final String PEER = "198.51.100.1";

    @BeforeAll
    static void narrowPathOnTheNode() {
        // a veth, not a dummy: this kernel has no dummy driver; the peer end stays in the node, unused
        LabNode.inNode("ip", "link", "add", TUNNEL, "mtu", "1280", "type", "veth", "peer", "name", "ptlab-mtu1");
        LabNode.inNode("ip", "link", "set", TUNNEL, "up");
        LabNode.inNode("ip", "link", "set", "ptlab-mtu1", "up");
        LabNode.inNode("ip", "route", "add", "198.51.100.0/24", "dev", TUNNEL);
    }

    @AfterAll
    static void removeIt() {
        LabNode.inNode("ip", "link", "del", TUNNEL);
    }

    @Test
    void aPacketTooBigForTheNodesPathIsDroppedAtForwardAndTheIcmpComesBack() {
        Runbook runbook = Runbook.read("mtu-and-fragmentation");
        KubernetesClient client = LAB.client();
        Pod uploader = LabPods.run(client, LAB.name(), "uploader", "sleep", "3600");
        runbook.applyTraces();
        LabTraces.awaitPhase(client, LAB.name(), "uploader-mtu", Phase.Running);

        // reproduce while the trace runs: the first ping learns the path MTU, so it must come after Running; one
        // ping, so that its few events stay within recentEvents; nothing answers it, so ping itself fails
        ClusterLab.kubectl(
                "exec", "-n", LAB.name(), "uploader", "--", "ping", "-c", "1", "-W", "1", "-s", "1400", PEER);
        LabTraces.await(client, LAB.name(), "uploader-mtu", 60, LabTraces.hasDrop("PKT_TOO_BIG"));

        // the read block: the verdict, the drops by reason, the recent events
        List<String> read = runbook.run(0);
        assertTrue(
                read.getFirst()
                        .matches(".* PKT_TOO_BIG at ip_forward\\+0x[0-9a-f]+ on node " + ClusterLab.NODE + "\\."),
                read.toString());
        List<String> drops =
                read.stream().filter(l -> l.matches("\\d+ [A-Z_]+ \\S+")).toList();
        assertTrue(
                drops.stream().anyMatch(l -> l.matches("\\d+ PKT_TOO_BIG ip_forward\\+0x[0-9a-f]+")), drops.toString());
        runbook.assertSays("| `PKT_TOO_BIG` drops at `ip_forward` |");

        List<String> events = read.subList(1 + drops.size(), read.size());
        String icmpBack =
                "\\S+ eth0 \\S+->" + Pattern.quote(uploader.getStatus().getPodIP()) + "/icmp ";
        assertTrue(events.stream().anyMatch(l -> l.matches(icmpBack)), "the ICMP arriving at the pod: " + events);
        String tooBig = "skb:kfree_skb \\S+ "
                + Pattern.quote(uploader.getStatus().getPodIP()) + "->" + Pattern.quote(PEER) + "/icmp PKT_TOO_BIG";
        assertTrue(events.stream().anyMatch(l -> l.matches(tooBig)), "the drop where the node forwards: " + events);
        runbook.assertSays(
                "| ICMP events arriving (tuples to the pod's address, from the node or a router) and TCP still stalls |");
    }
}
