// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.operator.trace;

import static dev.packettrace.operator.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.packettrace.api.report.NodeReportPublisher;
import dev.packettrace.api.status.StatusBudget;
import dev.packettrace.api.v1alpha1.AgentState;
import dev.packettrace.api.v1alpha1.DropGroup;
import dev.packettrace.api.v1alpha1.NodeReport;
import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.api.v1alpha1.PacketTraceStatus.Phase;
import dev.packettrace.api.v1alpha1.TargetState;
import dev.packettrace.api.v1alpha1.TargetStatus;
import dev.packettrace.api.v1alpha1.TraceEvent;
import dev.packettrace.operator.MutableClock;
import dev.packettrace.operator.OperatorConfig;
import dev.packettrace.operator.daemonset.AgentDaemonSet;
import dev.packettrace.operator.daemonset.AgentDaemonSetSync;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Drives {@link TraceController} directly against Fabric8's mock API server in CRUD mode, with the
 * clock in the test's hand. Everything goes through KubernetesClient, so a real API server could
 * stand in for the mock.
 */
@EnableKubernetesMockClient(crud = true)
class TraceControllerTest {

    static final String NS = "team-a";
    static final String OP_NS = "packettrace-system";

    KubernetesClient client;
    MutableClock clock;
    OperatorConfig config;
    TraceController controller;
    ClusterView view;

    @BeforeEach
    void setUp() {
        // Behind the API server's clock on purpose: creationTimestamps come from the server, and
        // nothing may assume the operator's clock agrees with it.
        clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(3));
        config = OperatorConfig.defaults(OP_NS);
        controller = new TraceController(client, config, clock);
        view = new ClientClusterView(client);
    }

    Optional<Duration> reconcile(PacketTrace t) {
        return controller.reconcile(get(client, t), view);
    }

    Optional<DaemonSet> daemonSet() {
        return Optional.ofNullable(client.apps()
                .daemonSets()
                .inNamespace(OP_NS)
                .withName(config.agentDaemonSetName())
                .get());
    }

    static Condition condition(PacketTrace t, String type) {
        return t.getStatus().conditions().stream()
                .filter(c -> type.equals(c.getType()))
                .findFirst()
                .orElseThrow(() -> new AssertionError(
                        "no condition " + type + " in " + t.getStatus().conditions()));
    }

    List<String> eventReasons(PacketTrace t) {
        return client.v1().events().inNamespace(t.getMetadata().getNamespace()).list().getItems().stream()
                .filter(e ->
                        t.getMetadata().getName().equals(e.getInvolvedObject().getName()))
                .map(Event::getReason)
                .toList();
    }

    @Test
    void reconcileCreatesTheDaemonSetRestrictedToTargetNodes() {
        pod(client, NS, "web-0", "node-a", Map.of("app", "web"));
        pod(client, NS, "web-1", "node-b", Map.of("app", "web"));
        pod(client, NS, "db-0", "node-c", Map.of("app", "db"));
        pod(client, "team-b", "web-x", "node-d", Map.of("app", "web")); // same labels, other namespace: never a target
        PacketTrace t = trace(client, NS, "web", selectorSpec("web", "5m"));

        Optional<Duration> again = reconcile(t);

        DaemonSet ds = daemonSet().orElseThrow();
        assertEquals(List.of("node-a", "node-b"), AgentDaemonSet.nodesOf(ds));
        var pod = ds.getSpec().getTemplate().getSpec();
        assertEquals(config.agentImage(), pod.getContainers().getFirst().getImage());
        assertTrue(pod.getHostPID());
        assertEquals(
                List.of("ALL"),
                pod.getContainers()
                        .getFirst()
                        .getSecurityContext()
                        .getCapabilities()
                        .getDrop());
        assertEquals("OnDelete", ds.getSpec().getUpdateStrategy().getType());

        PacketTrace after = get(client, t);
        assertEquals(Phase.Pending, after.getStatus().phase());
        assertEquals(2, after.getStatus().targetCount());
        assertEquals(
                List.of("web-0", "web-1"),
                after.getStatus().targets().stream().map(TargetStatus::pod).toList());
        assertTrue(after.getStatus().targets().stream().allMatch(x -> x.state() == TargetState.Scheduled));
        assertEquals("True", condition(after, "Scheduled").getStatus());
        assertEquals(
                after.getMetadata().getGeneration(),
                condition(after, "Accepted").getObservedGeneration());
        // The deadline counts from the API server's creationTimestamp, which may be a second past the
        // test clock's start: the requeue is exactly the time left until it, whatever the skew.
        Instant deadline =
                Instant.parse(after.getMetadata().getCreationTimestamp()).plus(config.pendingTimeout());
        assertEquals(
                Optional.of(Duration.between(clock.instant(), deadline)), again, "requeued by the pending timeout");
        assertTrue(eventReasons(t).contains("Accepted"));
    }

    @Test
    void theDaemonSetIsOwnedByTheOperatorsDeploymentSoUninstallingRemovesTheAgents() {
        pod(client, NS, "web-0", "node-a", Map.of("app", "web"));
        PacketTrace t = trace(client, NS, "web", selectorSpec("web", "5m"));
        reconcile(t); // an operator that does not know its Deployment: no owner
        assertEquals(List.of(), daemonSet().orElseThrow().getMetadata().getOwnerReferences());

        // configured, but the Deployment does not exist: still no owner, and the trace goes on
        OperatorConfig owned = config.toBuilder()
                .operatorDeployment(Optional.of("packettrace-operator"))
                .build();
        TraceController ownedController = new TraceController(client, owned, clock);
        ownedController.reconcile(get(client, t), view);
        assertEquals(List.of(), daemonSet().orElseThrow().getMetadata().getOwnerReferences());
        assertEquals(Phase.Pending, get(client, t).getStatus().phase());

        var deployment = client.apps()
                .deployments()
                .resource(new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder()
                        .withNewMetadata()
                        .withName("packettrace-operator")
                        .withNamespace(OP_NS)
                        .endMetadata()
                        .withNewSpec()
                        .withNewSelector()
                        .withMatchLabels(Map.of("app", "op"))
                        .endSelector()
                        .withNewTemplate()
                        .withNewMetadata()
                        .withLabels(Map.of("app", "op"))
                        .endMetadata()
                        .endTemplate()
                        .endSpec()
                        .build())
                .create();
        assertNotNull(deployment.getMetadata().getUid(), "the API server gives every object a uid");
        ownedController.reconcile(get(client, t), view);
        var owners = daemonSet().orElseThrow().getMetadata().getOwnerReferences();
        assertEquals(1, owners.size(), "the existing DaemonSet gained its owner: " + owners);
        assertEquals("apps/v1", owners.getFirst().getApiVersion());
        assertEquals("Deployment", owners.getFirst().getKind());
        assertEquals("packettrace-operator", owners.getFirst().getName());
        assertEquals(deployment.getMetadata().getUid(), owners.getFirst().getUid());
        assertNotEquals(
                Boolean.TRUE,
                owners.getFirst().getBlockOwnerDeletion(),
                "would need rights on the Deployment's finalizers");
        assertEquals(List.of("node-a"), AgentDaemonSet.nodesOf(daemonSet().orElseThrow()));

        String version = daemonSet().orElseThrow().getMetadata().getResourceVersion();
        ownedController.reconcile(get(client, t), view);
        assertEquals(
                version, daemonSet().orElseThrow().getMetadata().getResourceVersion(), "nothing to change: no write");
    }

    @Test
    void podsThatStartMatchingAreAddedAndDeletedPodsAreMarkedGone() {
        Pod web0 = pod(client, NS, "web-0", "node-a", Map.of("app", "web"));
        PacketTrace t = trace(client, NS, "web", selectorSpec("web", "5m"));
        reconcile(t);
        assertEquals(List.of("node-a"), AgentDaemonSet.nodesOf(daemonSet().orElseThrow()));

        pod(client, NS, "web-1", "node-b", Map.of("app", "web"));
        reconcile(t);
        PacketTrace after = get(client, t);
        assertEquals(
                List.of("web-0", "web-1"),
                after.getStatus().targets().stream().map(TargetStatus::pod).toList());
        assertEquals(
                List.of("node-a", "node-b"), AgentDaemonSet.nodesOf(daemonSet().orElseThrow()));

        client.resource(web0).delete();
        reconcile(t);
        after = get(client, t);
        TargetStatus gone = after.getStatus().targets().stream()
                .filter(x -> x.pod().equals("web-0"))
                .findFirst()
                .orElseThrow();
        assertEquals(TargetState.Gone, gone.state());
        assertEquals(1, after.getStatus().targetCount());
        assertEquals(
                List.of("node-b"),
                AgentDaemonSet.nodesOf(daemonSet().orElseThrow()),
                "no agent needed on node-a any more");
        assertTrue(eventReasons(t).contains("TargetGone"));
    }

    @Test
    void recreatedPodIsReportedAsRestarted() {
        Pod web0 = pod(client, NS, "web-0", "node-a", Map.of("app", "web"));
        PacketTrace t = trace(client, NS, "web", selectorSpec("web", "5m"));
        reconcile(t);
        client.resource(web0).delete();
        pod(client, NS, "web-0", "node-b", Map.of("app", "web"));
        reconcile(t);
        TargetStatus target = get(client, t).getStatus().targets().getFirst();
        assertEquals(TargetState.Restarted, target.state());
        assertEquals("node-b", target.node());
        assertNotEquals(web0.getMetadata().getUid(), target.podUid());
    }

    @Test
    void pendingRunningCompletedOnDuration() {
        Pod web0 = pod(client, NS, "web-0", "node-a", Map.of("app", "web"));
        PacketTrace t = trace(client, NS, "web", selectorSpec("web", "2m"));
        reconcile(t);
        assertEquals(Phase.Pending, get(client, t).getStatus().phase());

        var publisher = new NodeReportPublisher(client);
        publisher.publish(
                get(client, t), report(t, "node-a", AgentState.Attaching, 0, 0, clock.instant(), List.of(web0)));
        reconcile(t);
        assertEquals(Phase.Pending, get(client, t).getStatus().phase(), "attaching is not running yet");

        clock.advance(Duration.ofSeconds(10));
        Instant started = clock.instant();
        publisher.publish(
                get(client, t), report(t, "node-a", AgentState.Tracing, 5, 1, clock.instant(), List.of(web0)));
        Optional<Duration> again = reconcile(t);
        PacketTrace running = get(client, t);
        assertEquals(Phase.Running, running.getStatus().phase());
        assertEquals(started.toString(), running.getStatus().startTime());
        assertEquals(Optional.of(Duration.ofMinutes(2)), again, "requeued for the end of the duration");
        assertEquals(4026532100L, running.getStatus().targets().getFirst().netnsInode());
        assertEquals(
                TargetState.Tracing, running.getStatus().targets().getFirst().state());
        assertEquals(1, running.getStatus().summary().drops());
        assertEquals("True", condition(running, "Running").getStatus());

        clock.advance(Duration.ofSeconds(119));
        assertEquals(Optional.of(Duration.ofSeconds(1)), reconcile(t));
        assertEquals(Phase.Running, get(client, t).getStatus().phase());

        clock.advance(Duration.ofSeconds(1));
        reconcile(t);
        PacketTrace done = get(client, t);
        assertEquals(Phase.Completed, done.getStatus().phase());
        assertEquals(clock.instant().toString(), done.getStatus().completionTime());
        assertEquals("DurationElapsed", condition(done, "Completed").getReason());
        assertTrue(
                condition(done, "Completed").getMessage().contains("NETFILTER_DROP at nf_hook_slow+0x9c"),
                condition(done, "Completed").getMessage());
        assertTrue(eventReasons(t).containsAll(List.of("Started", "Completed")));

        // Completed is final: later reports still update numbers but not the phase
        publisher.publish(done, report(t, "node-a", AgentState.Detached, 7, 1, clock.instant(), List.of(web0)));
        clock.advance(Duration.ofHours(1));
        reconcile(t);
        PacketTrace later = get(client, t);
        assertEquals(Phase.Completed, later.getStatus().phase());
        assertEquals(done.getStatus().completionTime(), later.getStatus().completionTime());
        assertEquals(7, later.getStatus().summary().events());
        assertEquals(AgentState.Detached, later.getStatus().nodes().getFirst().state());
    }

    @Test
    void maxEventsEndsTheTrace() {
        Pod web0 = pod(client, NS, "web-0", "node-a", Map.of("app", "web"));
        Pod web1 = pod(client, NS, "web-1", "node-b", Map.of("app", "web"));
        var spec = selectorSpec("web", "1h");
        spec = new dev.packettrace.api.v1alpha1.PacketTraceSpec(
                spec.targets(),
                null,
                new dev.packettrace.api.v1alpha1.OutputSpec(null, null, null, 100L, null, null),
                "1h",
                null,
                null);
        PacketTrace t = trace(client, NS, "web", spec);
        reconcile(t);
        var publisher = new NodeReportPublisher(client);
        publisher.publish(
                get(client, t), report(t, "node-a", AgentState.Tracing, 60, 0, clock.instant(), List.of(web0)));
        reconcile(t);
        assertEquals(Phase.Running, get(client, t).getStatus().phase());
        publisher.publish(
                get(client, t), report(t, "node-b", AgentState.Tracing, 40, 0, clock.instant(), List.of(web1)));
        reconcile(t);
        PacketTrace done = get(client, t);
        assertEquals(Phase.Completed, done.getStatus().phase());
        assertEquals("MaxEventsReached", condition(done, "Completed").getReason());
        assertEquals(100, done.getStatus().summary().events());
    }

    @Test
    void finalizerWaitsForAgentsToDetachThenLetsGo() {
        Pod web0 = pod(client, NS, "web-0", "node-a", Map.of("app", "web"));
        PacketTrace t = trace(client, NS, "web", selectorSpec("web", "5m"));
        reconcile(t);
        var publisher = new NodeReportPublisher(client);
        publisher.publish(
                get(client, t), report(t, "node-a", AgentState.Tracing, 3, 0, clock.instant(), List.of(web0)));
        reconcile(t);

        PacketTrace deleting = get(client, t);
        deleting.getMetadata().setDeletionTimestamp(clock.instant().toString());
        var decision = controller.cleanup(deleting, view);
        assertFalse(decision.removeFinalizer(), "an agent still traces");
        assertEquals(Optional.of(TraceController.CLEANUP_POLL), decision.requeueAfter());

        publisher.publish(
                get(client, t), report(t, "node-a", AgentState.Detached, 3, 0, clock.instant(), List.of(web0)));
        decision = controller.cleanup(deleting, view);
        assertTrue(decision.removeFinalizer());
    }

    @Test
    void finalizerGivesUpAfterTheDetachTimeout() {
        Pod web0 = pod(client, NS, "web-0", "node-a", Map.of("app", "web"));
        PacketTrace t = trace(client, NS, "web", selectorSpec("web", "5m"));
        reconcile(t);
        new NodeReportPublisher(client)
                .publish(get(client, t), report(t, "node-a", AgentState.Tracing, 3, 0, clock.instant(), List.of(web0)));
        PacketTrace deleting = get(client, t);
        deleting.getMetadata().setDeletionTimestamp(clock.instant().toString());
        assertFalse(controller.cleanup(deleting, view).removeFinalizer());
        clock.advance(config.detachTimeout());
        assertTrue(controller.cleanup(deleting, view).removeFinalizer());
        assertTrue(eventReasons(t).contains("DetachTimeout"));
    }

    @Test
    void statusStaysBoundedUnderAFloodOfReports() {
        List<Pod> pods = IntStream.range(0, 120)
                .mapToObj(i -> pod(
                        client,
                        NS,
                        "web-" + i + "-" + "x".repeat(200),
                        "node-" + (i % 60) + "-" + "n".repeat(200),
                        Map.of("app", "web")))
                .toList();
        PacketTrace t = trace(client, NS, "web", selectorSpec("web", "1h"));
        reconcile(t);
        var publisher = new NodeReportPublisher(client);
        for (int n = 0; n < 60; n++) {
            String node = "node-" + n + "-" + "n".repeat(200);
            int nodeIndex = n;
            List<DropGroup> drops = IntStream.range(0, 500)
                    .mapToObj(i -> new DropGroup(
                            "REASON_" + i + "_" + "r".repeat(100),
                            "function_" + i + "+0x" + Integer.toHexString(i) + "y".repeat(200),
                            1000L + i,
                            null))
                    .toList();
            List<TraceEvent> events = IntStream.range(0, 500)
                    .mapToObj(i -> new TraceEvent(
                            clock.instant().plusMillis(i).toString(),
                            node,
                            "pod-" + "p".repeat(300),
                            "skb:kfree_skb",
                            "eth0",
                            "10.0.0.1:1->10.0.0.2:2/tcp",
                            "NETFILTER_DROP",
                            "nf_hook_slow+0x9c" + "z".repeat(300)))
                    .toList();
            List<TargetStatus> targets = pods.stream()
                    .filter(p -> p.getSpec().getNodeName().equals(node))
                    .map(p -> new TargetStatus(
                            p.getMetadata().getName(),
                            p.getMetadata().getUid(),
                            node,
                            4026532000L + nodeIndex,
                            TargetState.Tracing,
                            "m".repeat(1000)))
                    .toList();
            publisher.publish(
                    get(client, t),
                    new NodeReport(
                            t.getMetadata().getName(),
                            t.getMetadata().getUid(),
                            node,
                            1L,
                            AgentState.Tracing,
                            "tracepoint",
                            3,
                            1_000_000L,
                            10L,
                            500_000L,
                            drops,
                            events,
                            targets,
                            "w".repeat(5000),
                            clock.instant().toString()));
        }
        reconcile(t);

        PacketTrace after = get(client, t);
        int size = StatusBudget.serializedSize(after.getStatus());
        assertTrue(size < 100 * 1024, "status is " + size + " bytes");
        assertEquals(Phase.Completed, after.getStatus().phase(), "the flood also used up maxEvents");
        assertEquals("MaxEventsReached", condition(after, "Completed").getReason());
        assertEquals(60_000_000L, after.getStatus().summary().events(), "totals are exact even when lists are cut");
        assertEquals(120, after.getStatus().targetCount());
        assertEquals(120, after.getStatus().targets().size() + after.getStatus().targetsOmitted());
        assertEquals(60, after.getStatus().nodes().size() + after.getStatus().nodesOmitted());
        long shown = after.getStatus().summary().dropsByReason().stream()
                .mapToLong(DropGroup::count)
                .sum();
        assertEquals(
                after.getStatus().summary().drops(),
                shown + after.getStatus().summary().dropsOmitted());
    }

    /**
     * Two agents (and a crowd of others) publish concurrently and repeatedly into the same trace while
     * the operator reconciles in between: afterwards the trace's status holds every node's latest numbers.
     */
    @Test
    void concurrentAgentsLoseNoUpdateInTheTraceStatus() throws Exception {
        int nodes = 6;
        int rounds = 30;
        List<Pod> pods = IntStream.range(0, nodes)
                .mapToObj(n -> pod(client, NS, "web-" + n, "node-" + n, Map.of("app", "web")))
                .toList();
        var spec = selectorSpec("web", "1h");
        PacketTrace t = trace(
                client,
                NS,
                "web",
                new dev.packettrace.api.v1alpha1.PacketTraceSpec(
                        spec.targets(),
                        null,
                        new dev.packettrace.api.v1alpha1.OutputSpec(null, null, null, 100_000_000L, null, null),
                        "1h",
                        null,
                        null));
        reconcile(t);
        PacketTrace admitted = get(client, t);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(nodes + 1);
        var start = new java.util.concurrent.CountDownLatch(1);
        var done = new java.util.concurrent.atomic.AtomicBoolean();
        try {
            List<java.util.concurrent.Future<?>> agents = new java.util.ArrayList<>();
            for (int n = 0; n < nodes; n++) {
                int node = n;
                agents.add(pool.submit(() -> {
                    var publisher = new NodeReportPublisher(client);
                    start.await();
                    for (int i = 1; i <= rounds; i++) {
                        publisher.publish(
                                admitted,
                                report(
                                        t,
                                        "node-" + node,
                                        AgentState.Tracing,
                                        (long) i * (node + 1),
                                        i,
                                        clock.instant().plusMillis(i),
                                        List.of(pods.get(node))));
                    }
                    return null;
                }));
            }
            var operator = pool.submit(
                    () -> { // the operator keeps reconciling while reports pour in
                        start.await();
                        while (!done.get()) {
                            try {
                                reconcile(t);
                            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                                if (e.getCode() != 409) {
                                    throw e;
                                }
                            }
                        }
                        return null;
                    });
            start.countDown();
            for (var f : agents) {
                f.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            done.set(true);
            operator.get(60, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        reconcile(t); // the final reconcile after the last report, as the report's watch event would trigger

        PacketTrace after = get(client, t);
        assertEquals(nodes, after.getStatus().nodes().size());
        for (int n = 0; n < nodes; n++) {
            String node = "node-" + n;
            var ns = after.getStatus().nodes().stream()
                    .filter(x -> x.node().equals(node))
                    .findFirst()
                    .orElseThrow();
            assertEquals((long) rounds * (n + 1), ns.events(), node + " events");
            assertEquals(rounds, ns.drops(), node + " drops");
        }
        assertEquals(
                (long) rounds * nodes * (nodes + 1) / 2,
                after.getStatus().summary().events());
        assertEquals((long) rounds * nodes, after.getStatus().summary().drops());
        assertEquals(Phase.Running, after.getStatus().phase());
    }

    @Test
    void durationAboveTheCapIsClamped() {
        pod(client, NS, "web-0", "node-a", Map.of("app", "web"));
        PacketTrace t = trace(client, NS, "web", selectorSpec("web", "20h"));
        reconcile(t);
        PacketTrace after = get(client, t);
        assertEquals(Phase.Pending, after.getStatus().phase());
        assertEquals("1h", after.getStatus().limits().duration());
        assertEquals("Clamped", condition(after, "Accepted").getReason());
        assertTrue(
                after.getStatus()
                        .limits()
                        .adjusted()
                        .contains("spec.duration clamped from 20h to the operator's maxDuration 1h"),
                after.getStatus().limits().adjusted());
        assertTrue(eventReasons(t).contains("Clamped"));
    }

    @Test
    void durationAboveTheCapIsRejectedUnderTheRejectPolicy() {
        config = config.toBuilder()
                .capPolicy(OperatorConfig.CapPolicy.REJECT)
                .maxEventsPerTrace(500)
                .build();
        controller = new TraceController(client, config, clock);
        pod(client, NS, "web-0", "node-a", Map.of("app", "web"));
        PacketTrace t = trace(client, NS, "web", selectorSpec("web", "20h"));
        reconcile(t);
        PacketTrace after = get(client, t);
        assertEquals(Phase.Failed, after.getStatus().phase());
        assertEquals("ExceedsCap", condition(after, "Failed").getReason());
        assertEquals("False", condition(after, "Accepted").getStatus());
        assertTrue(condition(after, "Failed")
                .getMessage()
                .contains("spec.duration 20h exceeds the operator's maxDuration 1h"));
        assertTrue(condition(after, "Failed")
                .getMessage()
                .contains("spec.output.maxEvents 10000 exceeds the operator's maxEventsPerTrace 500"));
        assertTrue(daemonSet().isEmpty(), "a rejected trace schedules no agents");
    }

    @Test
    void tracesBeyondThePerNodeCapAreRejected() {
        config = config.toBuilder().maxTracesPerNode(2).build();
        controller = new TraceController(client, config, clock);
        pod(client, NS, "web-0", "node-a", Map.of("app", "web"));
        PacketTrace first = trace(client, NS, "first", selectorSpec("web", "5m"));
        reconcile(first);
        clock.advance(Duration.ofSeconds(1));
        PacketTrace second = trace(client, NS, "second", selectorSpec("web", "5m"));
        reconcile(second);
        PacketTrace third = trace(client, NS, "third", selectorSpec("web", "5m"));
        reconcile(third);

        assertEquals(Phase.Pending, get(client, first).getStatus().phase());
        assertEquals(Phase.Pending, get(client, second).getStatus().phase());
        PacketTrace rejected = get(client, third);
        assertEquals(Phase.Failed, rejected.getStatus().phase());
        assertEquals("NodeTraceLimit", condition(rejected, "Failed").getReason());
        assertTrue(
                condition(rejected, "Failed")
                        .getMessage()
                        .contains("node node-a already runs 2 traces (team-a/first, team-a/second)"),
                condition(rejected, "Failed").getMessage());
        // the earlier traces are not disturbed by the later one
        reconcile(first);
        reconcile(second);
        assertEquals(Phase.Pending, get(client, first).getStatus().phase());
        assertEquals(Phase.Pending, get(client, second).getStatus().phase());
    }

    @Test
    void noAgentWithinThePendingTimeoutFails() {
        pod(client, NS, "web-0", "node-a", Map.of("app", "web"));
        PacketTrace t = trace(client, NS, "web", selectorSpec("web", "5m"));
        reconcile(t);
        // counted from the API server's creationTimestamp, not from the test clock's start
        Instant deadline = Instant.parse(get(client, t).getMetadata().getCreationTimestamp())
                .plus(config.pendingTimeout());
        clock.advance(Duration.between(clock.instant(), deadline).minusSeconds(1));
        assertEquals(Optional.of(Duration.ofSeconds(1)), reconcile(t));
        assertEquals(Phase.Pending, get(client, t).getStatus().phase());
        clock.advance(Duration.ofSeconds(1));
        reconcile(t);
        PacketTrace after = get(client, t);
        assertEquals(Phase.Failed, after.getStatus().phase());
        assertEquals("StartTimeout", condition(after, "Failed").getReason());
        assertTrue(
                condition(after, "Failed").getMessage().contains("node-a (Waiting)"),
                condition(after, "Failed").getMessage());
    }

    @Test
    void daemonSetGoesAfterTheIdleGracePeriod() {
        Pod web0 = pod(client, NS, "web-0", "node-a", Map.of("app", "web"));
        PacketTrace t = trace(client, NS, "web", selectorSpec("web", "1m"));
        reconcile(t);
        var publisher = new NodeReportPublisher(client);
        publisher.publish(
                get(client, t), report(t, "node-a", AgentState.Tracing, 1, 0, clock.instant(), List.of(web0)));
        reconcile(t);
        clock.advance(Duration.ofMinutes(1));
        reconcile(t);
        assertEquals(Phase.Completed, get(client, t).getStatus().phase());
        assertEquals(
                List.of("node-a"), AgentDaemonSet.nodesOf(daemonSet().orElseThrow()), "kept until the agent detached");

        publisher.publish(
                get(client, t), report(t, "node-a", AgentState.Detached, 1, 0, clock.instant(), List.of(web0)));
        Optional<Duration> again = reconcile(t);
        assertEquals(Optional.of(config.idleGracePeriod()), again);
        DaemonSet idle = daemonSet().orElseThrow();
        assertEquals(
                clock.instant().toString(), idle.getMetadata().getAnnotations().get(AgentDaemonSet.IDLE_SINCE));

        clock.advance(config.idleGracePeriod().minusSeconds(1));
        assertEquals(Optional.of(Duration.ofSeconds(1)), reconcile(t));
        assertTrue(daemonSet().isPresent());
        clock.advance(Duration.ofSeconds(1));
        reconcile(t);
        assertTrue(daemonSet().isEmpty(), "deleted after the grace period");
    }

    @Test
    void aNewTraceDuringTheGracePeriodReusesTheDaemonSet() {
        Pod web0 = pod(client, NS, "web-0", "node-a", Map.of("app", "web"));
        PacketTrace first = trace(client, NS, "first", selectorSpec("web", "1m"));
        reconcile(first);
        new NodeReportPublisher(client)
                .publish(
                        get(client, first),
                        report(first, "node-a", AgentState.Detached, 0, 0, clock.instant(), List.of(web0)));
        client.resource(get(client, first)).delete();
        new AgentDaemonSetSync(client, config, clock).sync(List.of());
        assertTrue(daemonSet().orElseThrow().getMetadata().getAnnotations().containsKey(AgentDaemonSet.IDLE_SINCE));

        PacketTrace second = trace(client, NS, "second", selectorSpec("web", "1m"));
        reconcile(second);
        assertFalse(daemonSet().orElseThrow().getMetadata().getAnnotations().containsKey(AgentDaemonSet.IDLE_SINCE));
    }
}
