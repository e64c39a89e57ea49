// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packettrace.agent.AgentConfig;
import dev.packettrace.agent.NodeAgent;
import dev.packettrace.api.v1alpha1.AgentState;
import dev.packettrace.api.v1alpha1.DropGroup;
import dev.packettrace.api.v1alpha1.FilterSpec;
import dev.packettrace.api.v1alpha1.NodeStatus;
import dev.packettrace.api.v1alpha1.OutputSpec;
import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.api.v1alpha1.PacketTraceSpec;
import dev.packettrace.api.v1alpha1.PacketTraceStatus;
import dev.packettrace.api.v1alpha1.PacketTraceStatus.Phase;
import dev.packettrace.api.v1alpha1.SinkSpec;
import dev.packettrace.api.v1alpha1.TargetSpec;
import dev.packettrace.api.v1alpha1.TargetStatus;
import dev.packettrace.api.v1alpha1.TraceEvent;
import dev.packettrace.lab.DemoLab;
import dev.packettrace.operator.OperatorConfig;
import dev.packettrace.operator.OperatorMain;
import dev.packettrace.testing.Bpftool;
import dev.packettrace.testing.Eventually;
import dev.packettrace.testing.Privileged;
import dev.packettrace.testing.TestCgroup;
import dev.packettrace.testing.TestProcess;
import dev.packettrace.tracer.TracerFactory;
import dev.packettrace.tracer.TracerSession;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.javaoperatorsdk.operator.Operator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Everything real except the API server: the operator (the whole Java Operator SDK operator) and the node agent
 * (with the kernel tracer) against Fabric8's mock API server; a Pod object whose uid is that of a real process in
 * a real network namespace, placed in a cgroup named the way the kubelet names it; the tracer core's drop
 * scenario (an iptables DROP rule on the server's port 9090); and a PacketTrace that targets the pod. The
 * PacketTrace's status must go Running, then Completed when its duration has passed, and show the drop with
 * its reason and netfilter location, the pod's namespace inode, and the events in the sink file.
 */
@Tag("privileged")
@EnableKubernetesMockClient(crud = true)
class ClusterEndToEndTest {

    static final String NODE = "node-e2e";
    static final String NS = "shop";
    static final String OPERATOR_NS = "packettrace-system";
    static final Path V1_PIDS = Path.of("/sys/fs/cgroup/pids");
    /** Kernel functions of netfilter: the core (nf_), nftables (nft_), x_tables (ipt_, ip6t_). */
    static final String NETFILTER_FUNCTION = "^(nf|nft|ipt|ip6t)_\\w+\\+0x[0-9a-f]+$";

    static final Duration TRACE_DURATION = Duration.ofSeconds(8);
    static final Duration WAIT = Duration.ofSeconds(60);
    static final Duration CONNECT_TIMEOUT = Duration.ofMillis(300);
    static final ObjectMapper JSON = new ObjectMapper();

    KubernetesClient client;

    @TempDir
    Path tmp;

    @BeforeEach
    void root() {
        Privileged.requireRoot();
    }

    @Test
    void aDroppedPacketOfAPodShowsUpInItsPacketTraceFromRunningToCompleted() {
        String containerId = randomContainerId();
        client.nodes()
                .resource(new NodeBuilder()
                        .withNewMetadata()
                        .withName(NODE)
                        .endMetadata()
                        .build())
                .create();
        // The API server gives the pod its uid; the kubelet would then name the pod's cgroup after it.
        Pod pod = client.resource(new PodBuilder()
                        .withNewMetadata()
                        .withNamespace(NS)
                        .withName("server-0")
                        .endMetadata()
                        .withNewSpec()
                        .withNodeName(NODE)
                        .addNewContainer()
                        .withName("server")
                        .withImage("server")
                        .endContainer()
                        .endSpec()
                        .withNewStatus()
                        .withPhase("Running")
                        .addNewContainerStatus()
                        .withName("server")
                        .withContainerID("containerd://" + containerId)
                        .withNewState()
                        .withNewRunning()
                        .endRunning()
                        .endState()
                        .endContainerStatus()
                        .endStatus()
                        .build())
                .create();
        String podUid = pod.getMetadata().getUid();
        try (DemoLab lab = DemoLab.start();
                TestCgroup cgroup = TestCgroup.create(V1_PIDS, "kubepods/besteffort/pod" + podUid + "/" + containerId);
                TestProcess container = TestProcess.start(
                        "sleep", "ip", "netns", "exec", lab.server().name(), "sleep", "600")) {
            cgroup.add(container.pid());

            Operator operator = OperatorMain.start(
                    client,
                    OperatorConfig.fromEnv(
                            Map.of("PACKETTRACE_NAMESPACE", OPERATOR_NS, "PACKETTRACE_LEADER_ELECTION", "false")),
                    Clock.systemUTC());
            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            // The kernel tracer, remembering the ids of the programs it loads: other packettrace processes may run
            // on this machine at the same time, so "none of ours stays loaded" is checked by id.
            List<Integer> programIds = new CopyOnWriteArrayList<>();
            TracerFactory kernel = (config, listener) -> {
                TracerSession session = TracerSession.start(config, listener);
                programIds.addAll(session.kernelProgramIds());
                return session;
            };
            NodeAgent agent = NodeAgent.start(
                    AgentConfig.fromEnv(Map.of(
                            AgentConfig.NODE_NAME,
                            NODE,
                            AgentConfig.PROC_ROOT,
                            "/proc",
                            // PID 1 of this VM hides its namespaces; this JVM is in the node's namespace and stands in
                            // for it
                            AgentConfig.NODE_REFERENCE_PID,
                            Long.toString(ProcessHandle.current().pid()),
                            AgentConfig.SINK_ROOT,
                            tmp.resolve("sink").toString(),
                            AgentConfig.REPORT_INTERVAL,
                            "500ms")),
                    client,
                    kernel,
                    stdout);
            try {
                PacketTrace trace = client.resource(PacketTrace.of(
                                NS,
                                "drop",
                                new PacketTraceSpec(
                                        new TargetSpec(null, List.of("server-0")),
                                        new FilterSpec(
                                                null, null, null, DemoLab.BLOCKED_PORT, "tcp", null, null, false),
                                        new OutputSpec(true, false, false, 10_000L, 10, false),
                                        TRACE_DURATION.toSeconds() + "s",
                                        null,
                                        new SinkSpec(SinkSpec.TYPE_HOST_PATH, SinkSpec.HOST_PATH_ROOT + "/e2e"))))
                        .create();

                PacketTraceStatus running = awaitStatus(trace, "phase Running", s -> s.phase() == Phase.Running);
                assertEquals(1, running.targetCount());
                NodeStatus tracing = running.nodes().stream()
                        .filter(n -> n.node().equals(NODE))
                        .findFirst()
                        .orElseThrow();
                assertEquals(AgentState.Tracing, tracing.state());
                assertEquals("tracepoint", tracing.backend());
                assertTrue(tracing.probesAttached() > 0, tracing.toString());
                assertFalse(programIds.isEmpty(), "the agent loaded its tracer");
                assertTrue(
                        programIds.stream().allMatch(Bpftool::programLoaded),
                        "the agent's programs are loaded while the trace runs");

                // Connections to the blocked port until a drop shows in the status (each attempt times out after 300
                // ms).
                long deadline = System.nanoTime() + WAIT.toNanos();
                int attempts = 0;
                while (!hasNetfilterDrop(status(trace))) {
                    assertTrue(
                            System.nanoTime() < deadline,
                            "no NETFILTER_DROP in the status after " + attempts + " blocked connections; status: "
                                    + status(trace));
                    assertFalse(
                            lab.connectBlocked(CONNECT_TIMEOUT), "the DROP rule blocks port " + DemoLab.BLOCKED_PORT);
                    attempts++;
                }

                PacketTraceStatus done = awaitStatus(
                        trace,
                        "phase Completed once " + TRACE_DURATION.toSeconds() + " s have passed",
                        s -> s.phase() == Phase.Completed);
                assertTrue(
                        done.conditions().stream()
                                .anyMatch(c -> c.getType().equals("Completed")
                                        && c.getStatus().equals("True")
                                        && c.getReason().equals("DurationElapsed")),
                        "conditions: " + done.conditions());
                PacketTraceStatus last = awaitStatus(
                        trace,
                        "the agent's Detached report folded in",
                        s -> s.nodes().stream()
                                .anyMatch(n -> n.node().equals(NODE) && n.state() == AgentState.Detached));

                DropGroup drop = last.summary().dropsByReason().stream()
                        .filter(g -> g.reason().equals("NETFILTER_DROP"))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no NETFILTER_DROP group: " + last.summary()));
                assertTrue(drop.location().matches(NETFILTER_FUNCTION), "dropped by netfilter: " + drop.location());
                assertTrue(
                        drop.count() >= 1 && last.summary().drops() >= drop.count(),
                        last.summary().toString());
                assertTrue(
                        last.summary().verdict().contains("NETFILTER_DROP"),
                        last.summary().verdict());

                TargetStatus target = last.targets().stream()
                        .filter(t -> t.pod().equals("server-0"))
                        .findFirst()
                        .orElseThrow();
                assertEquals(
                        lab.server().inode(),
                        target.netnsInode(),
                        "the pod's network namespace as the agent resolved it");
                assertEquals(podUid, target.podUid());
                assertEquals(NODE, target.node());
                NodeStatus node = last.nodes().stream()
                        .filter(n -> n.node().equals(NODE))
                        .findFirst()
                        .orElseThrow();
                assertEquals("tracepoint", node.backend());
                assertEquals(0, node.probesAttached(), "detached: " + node);
                TraceEvent recent = last.recentEvents().stream()
                        .filter(e -> "NETFILTER_DROP".equals(e.reason()))
                        .findFirst()
                        .orElseThrow(
                                () -> new AssertionError("no drop among the recent events: " + last.recentEvents()));
                assertEquals("server-0", recent.pod());
                assertEquals(NODE, recent.node());

                Eventually.await(
                        WAIT,
                        () -> programIds.stream().noneMatch(Bpftool::programLoaded),
                        () -> "the trace completed and was the node's only one: the tracer detached; still loaded of "
                                + programIds + ": " + Bpftool.packettracePrograms());

                Path sink = tmp.resolve("sink").resolve("e2e").resolve(NS + "_drop.jsonl");
                List<JsonNode> lines = lines(sink);
                assertFalse(lines.isEmpty(), sink + " is empty");
                for (JsonNode l : lines) {
                    assertEquals(NS + "/drop", l.get("trace").asText(), l.toString());
                    assertEquals(NS + "/server-0", l.get("pod").asText(), l.toString());
                    assertEquals(NODE, l.get("node").asText(), l.toString());
                    assertEquals(lab.server().inode(), l.get("netns").asLong(), l.toString());
                    assertEquals(
                            DemoLab.BLOCKED_PORT, l.get("tuple").get("dport").asInt(), l.toString());
                }
                JsonNode dropLine = lines.stream()
                        .filter(l -> l.has("dropReason")
                                && l.get("dropReason").asText().equals("NETFILTER_DROP"))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no NETFILTER_DROP line in " + sink));
                assertTrue(dropLine.get("location").asText().matches(NETFILTER_FUNCTION), dropLine.toString());
                assertEquals(last.summary().events(), (long) lines.size(), "every counted event is in the sink");
                assertEquals("", stdout.toString(), "the trace asked for a file: nothing on the agent's stdout");
            } finally {
                agent.close();
                operator.stop();
            }
            // freeing a program is asynchronous in the kernel (RCU): wait for it with a deadline
            Eventually.await(
                    WAIT,
                    () -> loadedOf(programIds).isEmpty(),
                    () -> "no pt* program of the agent stays loaded after it stopped: " + loadedOf(programIds));
        }
    }

    private PacketTraceStatus awaitStatus(
            PacketTrace t, String what, java.util.function.Predicate<PacketTraceStatus> condition) {
        Eventually.await(
                WAIT,
                () -> Optional.ofNullable(status(t)).filter(condition).isPresent(),
                () -> what + "; status: " + status(t));
        return status(t);
    }

    private PacketTraceStatus status(PacketTrace t) {
        PacketTrace now = client.resources(PacketTrace.class)
                .inNamespace(t.getMetadata().getNamespace())
                .withName(t.getMetadata().getName())
                .get();
        return now == null ? null : now.getStatus();
    }

    private static boolean hasNetfilterDrop(PacketTraceStatus s) {
        return s != null
                && s.summary() != null
                && s.summary().dropsByReason().stream().anyMatch(g -> "NETFILTER_DROP".equals(g.reason()));
    }

    /** The pt* programs bpftool lists whose ids are among {@code ids}. */
    private static List<String> loadedOf(List<Integer> ids) {
        return Bpftool.packettracePrograms().stream()
                .filter(p -> ids.contains(Integer.parseInt(p.substring(0, p.indexOf(':')))))
                .toList();
    }

    private static List<JsonNode> lines(Path file) {
        try {
            List<JsonNode> out = new ArrayList<>();
            for (String line : Files.readAllLines(file)) {
                out.add(JSON.readTree(line));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the sink " + file, e);
        }
    }

    private static String randomContainerId() {
        byte[] id = new byte[32];
        new SecureRandom().nextBytes(id);
        return HexFormat.of().formatHex(id);
    }
}
