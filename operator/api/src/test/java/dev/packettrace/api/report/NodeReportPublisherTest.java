// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.api.v1alpha1.AgentState;
import dev.packettrace.api.v1alpha1.DropGroup;
import dev.packettrace.api.v1alpha1.NodeReport;
import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.api.v1alpha1.PacketTraceReport;
import dev.packettrace.api.v1alpha1.PacketTraceSpec;
import dev.packettrace.api.v1alpha1.TargetSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Against Fabric8's mock API server in CRUD mode; nothing here depends on it being a mock. */
@EnableKubernetesMockClient(crud = true)
class NodeReportPublisherTest {

    KubernetesClient client;

    PacketTrace createTrace(String ns, String name) {
        PacketTrace t = PacketTrace.of(
                ns, name, new PacketTraceSpec(new TargetSpec(null, List.of("web-0")), null, null, null, null, null));
        return client.resource(t).create();
    }

    static NodeReport report(PacketTrace t, String node, long events, long drops, long seq) {
        return new NodeReport(
                t.getMetadata().getName(),
                t.getMetadata().getUid(),
                node,
                1L,
                AgentState.Tracing,
                "tracepoint",
                3,
                events,
                0L,
                drops,
                List.of(new DropGroup("NETFILTER_DROP", "nf_hook_slow+0x9c", drops, null)),
                List.of(),
                List.of(),
                null,
                Instant.ofEpochSecond(1_700_000_000L + seq).toString());
    }

    @Test
    void publishCreatesThenReplacesTheNodesOwnReport() {
        PacketTrace t = createTrace("team-a", "web");
        var publisher = new NodeReportPublisher(client);
        PacketTraceReport first = publisher.publish(t, report(t, "node-1", 10, 1, 1));
        assertEquals(
                ReportNames.reportName("web", "node-1"), first.getMetadata().getName());
        assertEquals(
                t.getMetadata().getUid(),
                first.getMetadata().getOwnerReferences().getFirst().getUid());
        assertEquals(
                Map.of(PacketTraceReport.TRACE_UID_LABEL, t.getMetadata().getUid()),
                first.getMetadata().getLabels());

        publisher
                .publish("team-a", "web", "node-1", report(t, "node-1", 25, 3, 2))
                .orElseThrow();
        List<NodeReport> reports = new NodeReportReader(client).reportsOf(t);
        assertEquals(1, reports.size());
        assertEquals(25, reports.getFirst().events());
        assertEquals(3, reports.getFirst().drops());
    }

    @Test
    void publishingForAMissingTraceSaysSo() {
        PacketTrace t = createTrace("team-a", "gone");
        client.resource(t).delete();
        assertEquals(
                Optional.empty(),
                new NodeReportPublisher(client).publish("team-a", "gone", "node-1", report(t, "node-1", 1, 0, 1)));
    }

    @Test
    void reportForAnotherTraceIsRefused() {
        PacketTrace a = createTrace("team-a", "a");
        PacketTrace b = createTrace("team-a", "b");
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> new NodeReportPublisher(client).publish(a, report(b, "n", 1, 0, 1)));
        assertTrue(e.getMessage().contains("does not belong to trace team-a/a"), e.getMessage());
    }

    /**
     * Many agents report into one trace at once, each many times: afterwards the aggregate holds every
     * node's latest numbers. Each node has a single writer, as in the cluster; the nodes race each other.
     */
    @Test
    void concurrentAgentsLoseNoUpdate() throws Exception {
        PacketTrace t = createTrace("team-a", "busy");
        int nodes = 8;
        int rounds = 40;
        ExecutorService pool = Executors.newFixedThreadPool(nodes);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        try {
            for (int n = 0; n < nodes; n++) {
                String node = "node-" + n;
                int weight = n + 1;
                futures.add(pool.submit(() -> {
                    var publisher = new NodeReportPublisher(client);
                    start.await();
                    for (int i = 1; i <= rounds; i++) {
                        publisher.publish(t, report(t, node, (long) i * 100 * weight, (long) i * weight, i));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        List<NodeReport> reports = new NodeReportReader(client).reportsOf(t);
        Map<String, Long> eventsByNode =
                reports.stream().collect(Collectors.toMap(NodeReport::node, NodeReport::events));
        for (int n = 0; n < nodes; n++) {
            assertEquals((long) rounds * 100 * (n + 1), eventsByNode.get("node-" + n), "node-" + n + " latest events");
        }
        var agg = NodeReportAggregator.aggregate(t.getMetadata().getUid(), reports, Set.of(), 10);
        long expectedEvents = 0, expectedDrops = 0;
        for (int n = 1; n <= nodes; n++) {
            expectedEvents += (long) rounds * 100 * n;
            expectedDrops += (long) rounds * n;
        }
        assertEquals(expectedEvents, agg.summary().events());
        assertEquals(expectedDrops, agg.summary().drops());
        assertEquals(expectedDrops, agg.summary().dropsByReason().getFirst().count());
        assertEquals(nodes, agg.summary().dropsByReason().getFirst().nodes());
    }

    @Test
    void namesAreValidAndUnique() {
        assertTrue(!ReportNames.reportName("a-b", "c").equals(ReportNames.reportName("a", "b-c")));
        String longName = ReportNames.reportName("t".repeat(200), "node.example.com-" + "n".repeat(200));
        assertTrue(longName.length() <= 253, longName);
        assertTrue(longName.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?"), longName);
        String dotted = ReportNames.reportName("t".repeat(243), "n.x");
        assertTrue(!dotted.contains(".-") && !dotted.contains("-."), dotted);
    }
}
