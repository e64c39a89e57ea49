// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.chart.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * docs/runbooks/connection-resets.md, followed step by step on the lab: orders-client's connections to
 * orders-db:5432 are refused because nothing listens there. The runbook's two traces, applied as written,
 * show what its table says: NO_SOCKET drops on the server's side, the answers (the resets) arriving on the
 * client's side as events and not as drops.
 */
@Tag(ClusterLab.TAG)
class ConnectionResetsRunbookTest {

    @RegisterExtension
    static final LabNamespace LAB = LabNamespace.empty("orders");

    @Test
    void refusedConnectionsShowAsNoSocketOnTheServerAndAsEventsOnTheClient() {
        Runbook runbook = Runbook.read("connection-resets");
        KubernetesClient client = LAB.client();
        Pod db = LabPods.run(client, LAB.name(), "orders-db", "sleep", "3600");
        LabPods.run(
                client,
                LAB.name(),
                "orders-client",
                LabPods.connectingTo(db.getStatus().getPodIP(), 5432, "0.3"));

        runbook.applyTraces();
        LabTraces.await(client, LAB.name(), "orders-db-resets", 180, LabTraces.hasDrop("NO_SOCKET"));
        LabTraces.await(
                client,
                LAB.name(),
                "orders-client-resets",
                60,
                s -> s.summary() != null && s.summary().events() > 0);

        List<String> read = runbook.run(0);
        assertEquals(3, read.size(), "one verdict per trace, then the server's drops: " + read);
        assertTrue(read.get(0).matches("orders-client-resets: \\d+ events? on 1 node, no drops\\."), read.get(0));
        assertTrue(
                read.get(1)
                        .matches(
                                "orders-db-resets: \\d+ drops? in \\d+ events?; all NO_SOCKET at tcp_v4_rcv\\+0x[0-9a-f]+"
                                        + " on node " + ClusterLab.NODE + "\\."),
                read.get(1));
        assertTrue(read.get(2).matches("\\d+ NO_SOCKET tcp_v4_rcv\\+0x[0-9a-f]+"), read.get(2));
        runbook.assertSays("| server | `NO_SOCKET` | nothing listens on the port");
        runbook.assertSays("| client | no drops, events from the port |");
    }
}
