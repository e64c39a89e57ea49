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
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * docs/runbooks/firewall-rule-drops.md, followed step by step on the lab: a rule in the gateway pod's own
 * network namespace drops everything it sends to 203.0.113.0/24. The runbook's trace shows NETFILTER_DROP at
 * a netfilter function; the sink's stacks name the hook (OUTPUT, through __ip_local_out); the events have no
 * interface, as the runbook says of OUTPUT; and the rule's counter has counted at least the trace's drops.
 */
@Tag(ClusterLab.TAG)
class FirewallRuleDropsRunbookTest {

    @RegisterExtension
    static final LabNamespace LAB = LabNamespace.empty("edge");

    private static final Pattern DROP_RULE_COUNTER =
            Pattern.compile("^\\[(\\d+):\\d+\\] -A OUTPUT -d 203\\.0\\.113\\.0/24 -j DROP$", Pattern.MULTILINE);

    @Test
    void aRuleInThePodsOwnNamespaceShowsAsNetfilterDropInOutput() {
        Runbook runbook = Runbook.read("firewall-rule-drops");
        KubernetesClient client = LAB.client();
        Pod gateway = LabPods.run(client, LAB.name(), "gateway", LabPods.connectingTo("203.0.113.10", 443, "0.3"));
        LabNode.iptablesInPod(gateway, "OUTPUT -d 203.0.113.0/24 -j DROP");

        runbook.applyTraces();
        PacketTraceStatus status =
                LabTraces.await(client, LAB.name(), "gateway-firewall-drops", 180, LabTraces.hasDrop("NETFILTER_DROP"));

        List<String> read = runbook.run(0);
        assertTrue(
                read.getFirst()
                        .matches("\\d+ drops? in \\d+ events?; all NETFILTER_DROP at " + LabTraces.NETFILTER_LOCATION
                                + " on node " + ClusterLab.NODE + "\\."),
                read.getFirst());
        assertTrue(read.get(1).matches("\\d+ NETFILTER_DROP " + LabTraces.NETFILTER_LOCATION), read.get(1));
        runbook.assertSays("- `NETFILTER_DROP` at a netfilter function");

        List<JsonNode> drops =
                LabRelease.sinkEvents(LabRelease.agent(client), LAB.name() + "/gateway-firewall-drops").stream()
                        .filter(e -> e.path("dropReason").asText().equals("NETFILTER_DROP"))
                        .toList();
        assertFalse(drops.isEmpty(), "the sink has the drops");
        for (JsonNode drop : drops) {
            List<String> stack = new ArrayList<>();
            drop.path("stack").forEach(frame -> stack.add(frame.asText()));
            int hook = indexOf(stack, "nf_hook_slow+");
            assertTrue(
                    hook >= 0 && hook + 1 < stack.size() && stack.get(hook + 1).startsWith("__ip_local_out+"),
                    "the caller of nf_hook_slow names OUTPUT: " + stack);
            assertEquals("", drop.path("ifname").asText(), "a packet dropped in OUTPUT has no interface yet");
            assertEquals(LAB.name() + "/gateway", drop.path("pod").asText());
        }
        runbook.assertSays("`__ip_local_out` = OUTPUT");
        runbook.assertSays("or none at all (a packet dropped in OUTPUT has no interface yet)");

        // the runbook's last step: the rule whose counter moves with the trace's drop count
        Matcher counter = DROP_RULE_COUNTER.matcher(
                LabNode.inPod(gateway, "iptables-save", "-c").stdout());
        assertTrue(counter.find(), "the DROP rule in iptables-save -c");
        long traced = status.summary().dropsByReason().stream()
                .mapToLong(DropGroup::count)
                .sum();
        assertTrue(
                Long.parseLong(counter.group(1)) >= traced,
                "the rule counted " + counter.group(1) + ", the trace " + traced);
    }

    private static int indexOf(List<String> stack, String prefix) {
        for (int i = 0; i < stack.size(); i++) {
            if (stack.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }
}
