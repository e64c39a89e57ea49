// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.chart.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.api.v1alpha1.DropGroup;
import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.api.v1alpha1.PacketTraceStatus;
import dev.packettrace.api.v1alpha1.PacketTraceStatus.Phase;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operator and the agent are killed in the middle of a trace (their pods deleted; the Deployment and the
 * DaemonSet bring new ones). The trace still completes, its counts never go back (every status the API server
 * held, seen through a watch), and the new agent goes on counting the same drops.
 */
@Tag(ClusterLab.TAG)
class RestartMidTraceTest {

    static final String NAMESPACE = "restart-e2e";
    static final String TRACE = "survivor";

    @RegisterExtension
    static final LabNamespace LAB = LabNamespace.withDropScenario(NAMESPACE);

    static KubernetesClient client;

    @BeforeAll
    static void client() {
        client = LAB.client();
    }

    static long netfilterDrops(PacketTraceStatus s) {
        return s.summary() == null
                ? 0
                : s.summary().dropsByReason().stream()
                        .filter(d -> d.reason().equals("NETFILTER_DROP"))
                        .mapToLong(DropGroup::count)
                        .sum();
    }

    static Pod onlyPod(String label) {
        List<Pod> pods = client.pods()
                .inNamespace(LabRelease.NAMESPACE)
                .withLabel("app.kubernetes.io/name", label)
                .list()
                .getItems();
        assertTrue(
                pods.size() == 1,
                label + ": " + pods.stream().map(p -> p.getMetadata().getName()).toList());
        return pods.getFirst();
    }

    @Test
    void operatorAndAgentRestartedMidTraceLoseNoStatus() throws Exception {
        List<PacketTraceStatus> seen = Collections.synchronizedList(new ArrayList<>());
        var trace = client.resources(PacketTrace.class).inNamespace(NAMESPACE).withName(TRACE);
        try (Watch _ = trace.watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, PacketTrace t) {
                if (t.getStatus() != null) {
                    seen.add(t.getStatus());
                }
            }

            @Override
            public void onClose(WatcherException cause) {
                // the test reads what was seen; a closed watch shows as too few statuses
            }
        })) {
            ClusterLab.kubectlWithInput(DropScenario.traceOfServer(TRACE, "45s"), "apply", "-n", NAMESPACE, "-f", "-")
                    .requireSuccess();
            PacketTrace counting = trace.waitUntilCondition(
                    t -> t != null
                            && t.getStatus() != null
                            && t.getStatus().phase() == Phase.Running
                            && netfilterDrops(t.getStatus()) > 0,
                    180,
                    TimeUnit.SECONDS);
            long dropsBefore = netfilterDrops(counting.getStatus());

            Pod operator = onlyPod("packettrace-operator");
            Pod agent = onlyPod(LabRelease.AGENT_DAEMONSET);
            ClusterLab.kubectl(
                            "delete",
                            "pod",
                            "-n",
                            LabRelease.NAMESPACE,
                            operator.getMetadata().getName(),
                            agent.getMetadata().getName(),
                            "--wait=false")
                    .requireSuccess();

            PacketTrace done = trace.waitUntilCondition(
                    t -> t != null && t.getStatus() != null && t.getStatus().phase() == Phase.Completed,
                    240,
                    TimeUnit.SECONDS);
            assertNotEquals(
                    operator.getMetadata().getName(),
                    onlyPod("packettrace-operator").getMetadata().getName());
            assertNotEquals(
                    agent.getMetadata().getName(),
                    onlyPod(LabRelease.AGENT_DAEMONSET).getMetadata().getName());
            assertTrue(
                    netfilterDrops(done.getStatus()) > dropsBefore,
                    "the new agent went on counting: " + dropsBefore + " before the restart, "
                            + netfilterDrops(done.getStatus()) + " at the end");
        }

        List<PacketTraceStatus> statuses;
        synchronized (seen) {
            statuses = List.copyOf(seen);
        }
        assertFalse(statuses.isEmpty());
        for (int i = 1; i < statuses.size(); i++) {
            PacketTraceStatus before = statuses.get(i - 1);
            PacketTraceStatus after = statuses.get(i);
            if (before.summary() != null && after.summary() != null) {
                assertTrue(
                        after.summary().events() >= before.summary().events(),
                        "events went back from " + before.summary().events() + " to "
                                + after.summary().events());
                assertTrue(netfilterDrops(after) >= netfilterDrops(before), "drops went back");
            }
            assertFalse(
                    before.phase() == Phase.Running && after.phase() == Phase.Pending, "Running went back to Pending");
            assertNotEquals(Phase.Failed, after.phase(), "the restarts failed the trace: " + after.conditions());
        }
    }
}
