// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.operator;

import static dev.packettrace.operator.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.packettrace.api.report.NodeReportPublisher;
import dev.packettrace.api.v1alpha1.AgentState;
import dev.packettrace.api.v1alpha1.OutputSpec;
import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.api.v1alpha1.PacketTraceSpec;
import dev.packettrace.api.v1alpha1.PacketTraceStatus.Phase;
import dev.packettrace.operator.daemonset.AgentDaemonSet;
import dev.packettrace.operator.trace.TraceController;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.javaoperatorsdk.operator.Operator;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The whole operator (Java Operator SDK, informers, event sources, finalizer, both controllers) against
 * the mock API server, with simulated node agents publishing through the real report contract.
 */
@EnableKubernetesMockClient(crud = true)
class OperatorIntegrationTest {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final String OP_NS = "packettrace-system";

    KubernetesClient client;

    DaemonSet daemonSet(OperatorConfig config) {
        return client.apps()
                .daemonSets()
                .inNamespace(OP_NS)
                .withName(config.agentDaemonSetName())
                .get();
    }

    @Test
    void operatorRunsATraceFromCreationToDeletion() {
        OperatorConfig config = OperatorConfig.fromEnv(Map.of(
                "PACKETTRACE_NAMESPACE",
                OP_NS,
                "PACKETTRACE_LEADER_ELECTION",
                "false",
                "PACKETTRACE_IDLE_GRACE_PERIOD",
                "1s"));
        MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        Operator operator = OperatorMain.start(client, config, clock);
        try {
            Pod web0 = pod(client, "team-a", "web-0", "node-a", Map.of("app", "web"));
            PacketTraceSpec base = selectorSpec("web", "10m");
            PacketTrace t = trace(
                    client,
                    "team-a",
                    "web",
                    new PacketTraceSpec(
                            base.targets(),
                            null,
                            new OutputSpec(null, null, null, 50L, null, null),
                            "10m",
                            null,
                            null));

            Await.until("trace Pending with its target and the DaemonSet on node-a", WAIT, () -> {
                PacketTrace now = get(client, t);
                DaemonSet ds = daemonSet(config);
                return now.getStatus() != null
                        && now.getStatus().phase() == Phase.Pending
                        && now.getStatus().targetCount() == 1
                        && ds != null
                        && AgentDaemonSet.nodesOf(ds).equals(List.of("node-a"));
            });
            assertTrue(get(client, t).getMetadata().getFinalizers().contains(TraceController.FINALIZER));

            // a pod that starts matching later is picked up through the pod informer
            pod(client, "team-a", "web-1", "node-b", Map.of("app", "web"));
            Await.until(
                    "second target and DaemonSet on node-b",
                    WAIT,
                    () -> get(client, t).getStatus().targetCount() == 2
                            && AgentDaemonSet.nodesOf(daemonSet(config)).equals(List.of("node-a", "node-b")));

            var publisher = new NodeReportPublisher(client);
            publisher.publish(
                    get(client, t), report(t, "node-a", AgentState.Tracing, 10, 1, clock.instant(), List.of(web0)));
            Await.until(
                    "Running after the first agent reports Tracing",
                    WAIT,
                    () -> get(client, t).getStatus().phase() == Phase.Running
                            && get(client, t).getStatus().summary().drops() == 1);

            publisher.publish(
                    get(client, t),
                    report(
                            t,
                            "node-a",
                            AgentState.Tracing,
                            60,
                            3,
                            clock.instant().plusSeconds(1),
                            List.of(web0)));
            Await.until(
                    "Completed when maxEvents is reached",
                    WAIT,
                    () -> get(client, t).getStatus().phase() == Phase.Completed);
            assertTrue(get(client, t).getStatus().conditions().stream()
                    .anyMatch(c ->
                            c.getType().equals("Completed") && c.getReason().equals("MaxEventsReached")));

            client.resource(get(client, t)).delete();
            Await.until(
                    "deletion waits for the agent to detach",
                    Duration.ofSeconds(5),
                    () -> get(client, t) != null && get(client, t).getMetadata().getDeletionTimestamp() != null);
            assertNotNull(get(client, t), "the finalizer holds the trace while node-a's agent still traces");

            publisher.publish(
                    get(client, t),
                    report(
                            t,
                            "node-a",
                            AgentState.Detached,
                            60,
                            3,
                            clock.instant().plusSeconds(2),
                            List.of(web0)));
            Await.until("trace gone once the agent detached", WAIT, () -> get(client, t) == null);

            clock.advance(Duration.ofSeconds(2)); // past the 1s idle grace on the operator's clock
            Await.until("DaemonSet removed after the idle grace period", WAIT, () -> daemonSet(config) == null);
        } finally {
            operator.stop();
        }
    }
}
