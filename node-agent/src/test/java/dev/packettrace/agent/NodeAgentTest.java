// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import static dev.packettrace.testing.SyntheticProc.cgroupfsPodDir;
import static dev.packettrace.testing.SyntheticProc.v1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packettrace.api.v1alpha1.AgentState;
import dev.packettrace.api.v1alpha1.DropGroup;
import dev.packettrace.api.v1alpha1.FilterSpec;
import dev.packettrace.api.v1alpha1.NodeReport;
import dev.packettrace.api.v1alpha1.OutputSpec;
import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.api.v1alpha1.PacketTraceReport;
import dev.packettrace.api.v1alpha1.PacketTraceStatus.Phase;
import dev.packettrace.api.v1alpha1.SinkSpec;
import dev.packettrace.api.v1alpha1.TargetSpec;
import dev.packettrace.api.v1alpha1.TargetState;
import dev.packettrace.api.v1alpha1.TargetStatus;
import dev.packettrace.output.ClockOffset;
import dev.packettrace.testing.Eventually;
import dev.packettrace.testing.ScriptedTracer;
import dev.packettrace.testing.ScriptedTracers;
import dev.packettrace.testing.SyntheticProc;
import dev.packettrace.tracer.Backend;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node agent against the Kubernetes API (Fabric8's mock server in CRUD mode): which traces it serves,
 * what it reports, where events go, and how it follows traces and pods through their lives. The API
 * objects are written as the operator would write them; the node's /proc is synthetic and the tracer is
 * scripted ({@link ScriptedTracer} takes the kernel filter's decisions), so only the API side is simulated
 * by something other than the agent's own code.
 */
@EnableKubernetesMockClient(crud = true)
class NodeAgentTest {

    static final String NODE = "node-a";
    static final String NS = "team-a";
    static final long NS_WEB = 4026532100L;
    static final long NS_API = 4026532200L;
    static final long NS_OTHER = 4026532999L;
    static final Duration WAIT = Duration.ofSeconds(20);
    static final ObjectMapper JSON = new ObjectMapper();

    KubernetesClient client;

    @TempDir
    Path tmp;

    Cluster cluster;
    SyntheticProc proc;
    ScriptedTracers tracers;
    ByteArrayOutputStream stdout;
    final List<NodeAgent> agents = new ArrayList<>();
    final Map<Integer, String> containerIds = new HashMap<>();

    @BeforeEach
    void setUp() throws IOException {
        cluster = new Cluster(client);
        proc = SyntheticProc.node(Files.createDirectories(tmp.resolve("proc")));
        tracers = ScriptedTracers.wire();
        stdout = new ByteArrayOutputStream();
    }

    @AfterEach
    void stopAgents() {
        agents.forEach(NodeAgent::close);
    }

    NodeAgent startAgent(String reportInterval) {
        AgentConfig config = AgentConfig.fromEnv(Map.of(
                AgentConfig.NODE_NAME,
                NODE,
                AgentConfig.PROC_ROOT,
                proc.root().toString(),
                AgentConfig.SINK_ROOT,
                tmp.resolve("sink").toString(),
                AgentConfig.REPORT_INTERVAL,
                reportInterval,
                AgentConfig.RESOLVE_INTERVAL,
                "300ms"));
        NodeAgent agent = NodeAgent.start(
                config, client, tracers, stdout, Clock.systemUTC(), () -> new ClockOffset(0, "test", 0));
        agents.add(agent);
        return agent;
    }

    NodeAgent startAgent() {
        return startAgent("200ms");
    }

    /** A pod on this node with one container process (pid) in network namespace netns, named as the kubelet does. */
    Pod podHere(String name, int pid, long netns) {
        Pod pod = cluster.pod(NS, name, NODE);
        String cid = String.format("%064x", pid);
        containerIds.put(pid, cid);
        proc.process(pid, v1(cgroupfsPodDir("besteffort", pod.getMetadata().getUid()) + "/" + cid), netns);
        return pod;
    }

    NodeReport awaitReport(PacketTrace t, String what, Predicate<NodeReport> condition) {
        Eventually.await(
                WAIT,
                () -> cluster.report(t, NODE).filter(condition).isPresent(),
                () -> what + "; last report: "
                        + cluster.report(t, NODE).map(Object::toString).orElse("none"));
        return cluster.report(t, NODE).orElseThrow();
    }

    NodeReport awaitState(PacketTrace t, AgentState state) {
        return awaitReport(t, t.key() + " reported " + state, r -> r.state() == state);
    }

    void awaitTracerNetns(Set<Long> netns) {
        Eventually.await(
                WAIT,
                () -> tracers.anyRunning() && tracers.current().netns().equals(netns),
                () -> "tracer namespaces " + netns + "; tracers: "
                        + tracers.started().stream()
                                .map(t -> t.netns() + (t.closed() ? " closed" : " running"))
                                .toList());
    }

    List<JsonNode> lines(String text) {
        List<JsonNode> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                try {
                    out.add(JSON.readTree(line));
                } catch (IOException e) {
                    throw new UncheckedIOException("not a JSON line: " + line, e);
                }
            }
        }
        return out;
    }

    List<JsonNode> stdoutLines() {
        return lines(stdout.toString(StandardCharsets.UTF_8));
    }

    static FilterSpec dstPort(int port) {
        return new FilterSpec(null, null, null, port, "tcp", null, null, false);
    }

    static FilterSpec trackedDstPort(int port) {
        return new FilterSpec(null, null, null, port, "tcp", null, null, true);
    }

    @Test
    void tracesAPodOnItsNodeAndReportsWhatItSaw() {
        Pod web = podHere("web-0", 100, NS_WEB);
        PacketTrace t = cluster.trace(NS, "web", dstPort(9090), List.of("web-0"));
        t = cluster.status(t, Phase.Running, 1000, web);
        startAgent();

        NodeReport tracing = awaitState(t, AgentState.Tracing);
        assertEquals(
                List.of(new TargetStatus("web-0", web.getMetadata().getUid(), NODE, NS_WEB, TargetState.Tracing, null)),
                tracing.targets());
        assertEquals("tracepoint", tracing.backend());
        assertEquals(3, tracing.probesAttached());
        assertEquals(t.getMetadata().getUid(), tracing.traceUid());
        ScriptedTracer tracer = tracers.current();
        assertEquals(
                Set.of(NS_WEB),
                tracer.config().filter().netnsInodes(),
                "only the target's namespace goes into the kernel filter");
        assertTrue(
                tracer.config().filter().dstPort().isEmpty(),
                "per-trace filters run in the agent, not in the shared program");

        tracer.send(Packets.drop(0xa1, NS_WEB, 9090)); // this trace's packet
        tracer.send(Packets.tcp(0xa2, NS_WEB, 8080)); // its pod, another port: not this trace's filter
        tracer.send(Packets.drop(0xa3, NS_OTHER, 9090)); // another namespace: the kernel filter never reports it
        tracer.send(Packets.tcp(0xa4, NS_WEB, 9090));

        NodeReport r = awaitReport(t, "two matching events", x -> x.events() == 2);
        assertEquals(1, r.drops());
        assertEquals(List.of(new DropGroup("NETFILTER_DROP", "nf_hook_slow+0x9c", 1L, null)), r.dropsByReason());
        assertEquals(2, r.recentEvents().size());
        assertEquals("net:netif_receive_skb", r.recentEvents().get(0).probe(), "newest first");
        assertEquals("web-0", r.recentEvents().get(1).pod());
        assertEquals("NETFILTER_DROP", r.recentEvents().get(1).reason());
        assertEquals(
                "10.0.0.1:40000->10.0.0.2:9090/tcp", r.recentEvents().get(1).tuple());
        assertEquals(NODE, r.recentEvents().get(1).node());

        Eventually.await(WAIT, () -> stdoutLines().size() == 2, () -> "two lines on stdout: " + stdout);
        JsonNode drop = stdoutLines().getFirst();
        assertEquals("team-a/web", drop.get("trace").asText());
        assertEquals("team-a/web-0", drop.get("pod").asText());
        assertEquals(NODE, drop.get("node").asText());
        assertEquals("NETFILTER_DROP", drop.get("dropReason").asText());
        assertEquals("nf_hook_slow+0x9c", drop.get("location").asText());
        assertEquals(NS_WEB, drop.get("netns").asLong());
        assertEquals("0xa1", drop.get("skb").asText());
        assertTrue(drop.get("time").asText().endsWith("Z"), "wall-clock time: " + drop.get("time"));
        assertFalse(drop.has("stack"), "the trace did not ask for stacks");
    }

    /**
     * Function-level probes cost every packet on the node, so the node's tracer uses them only while a trace asks
     * for them (backend auto), and only that trace gets their events.
     */
    @Test
    void functionProbesRunOnlyWhileATraceAsksForThemAndOnlyThatTraceGetsTheirEvents() {
        Pod web = podHere("web-0", 100, NS_WEB);
        PacketTrace plain =
                cluster.status(cluster.trace(NS, "plain", dstPort(9090), List.of("web-0")), Phase.Running, 1000, web);
        startAgent();
        awaitState(plain, AgentState.Tracing);
        assertEquals(Backend.TRACEPOINT, tracers.current().config().backend(), "by default the tracepoints only");

        PacketTrace deep = cluster.status(
                cluster.trace(NS, "deep", dstPort(9090), List.of("web-0"), "auto"), Phase.Running, 1000, web);
        Eventually.await(
                WAIT,
                () -> tracers.current().config().backend() == Backend.AUTO,
                () -> "the tracer restarted for the trace that asked for auto: "
                        + tracers.current().config());
        awaitState(deep, AgentState.Tracing);

        ScriptedTracer tracer = tracers.current();
        tracer.send(Packets.function(0xb1, NS_WEB, 9090, "ip_rcv"));
        tracer.send(Packets.drop(0xb1, NS_WEB, 9090));
        awaitReport(deep, "the function event and the drop", x -> x.events() == 2);
        // both events were offered to both traces in the same poll, before any report was written
        NodeReport r = awaitReport(plain, "the drop", x -> x.events() >= 1);
        assertEquals(1, r.events(), "the tracepoint trace does not get function events: " + r.recentEvents());
        assertEquals("skb:kfree_skb", r.recentEvents().getFirst().probe());
    }

    @Test
    void servesOnlyTracesWithTargetsOnItsNodeAndGivesEachTraceTheEventsOfItsOwnPods() {
        Pod web = podHere("web-0", 100, NS_WEB);
        Pod api = podHere("api-0", 200, NS_API);
        Pod db = cluster.pod(NS, "db-0", "node-b");
        PacketTrace tWeb =
                cluster.status(cluster.trace(NS, "web", dstPort(9090), List.of("web-0")), Phase.Running, 1000, web);
        PacketTrace tApi = cluster.status(cluster.trace(NS, "api", null, List.of("api-0")), Phase.Running, 1000, api);
        PacketTrace tDb = cluster.status(cluster.trace(NS, "db", null, List.of("db-0")), Phase.Running, 1000, db);
        PacketTrace pending = cluster.trace(
                NS, "not-admitted", null, List.of("web-0")); // no status: the operator has not admitted it
        NodeAgent agent = startAgent();

        awaitState(tWeb, AgentState.Tracing);
        awaitState(tApi, AgentState.Tracing);
        awaitTracerNetns(Set.of(NS_WEB, NS_API));
        assertEquals(Set.of("team-a/web", "team-a/api"), agent.activeTraces());

        ScriptedTracer tracer = tracers.current();
        tracer.send(Packets.drop(0xb1, NS_WEB, 9090));
        tracer.send(Packets.tcp(0xb2, NS_API, 9090));
        tracer.send(Packets.tcp(0xb3, NS_API, 443));
        awaitReport(tApi, "api saw its two packets", r -> r.events() == 2 && r.drops() == 0);
        NodeReport webReport = awaitReport(tWeb, "web saw its drop", r -> r.events() == 1 && r.drops() == 1);
        assertEquals("web-0", webReport.recentEvents().getFirst().pod());

        assertTrue(
                cluster.report(tDb, NODE).isEmpty(),
                "a trace whose targets are on another node gets no report from this node");
        assertTrue(cluster.report(pending, NODE).isEmpty(), "a trace the operator has not admitted is not traced");
        assertEquals(
                2,
                cluster.reports(NS).size(),
                "reports: "
                        + cluster.reports(NS).stream()
                                .map(x -> x.getMetadata().getName())
                                .toList());
        assertEquals(1, tracers.started().size(), "one tracer serves every trace on the node");
    }

    @Test
    void detachesWhenATraceCompletesAndWhenItIsBeingDeleted() {
        Pod web = podHere("web-0", 100, NS_WEB);
        Pod api = podHere("api-0", 200, NS_API);
        PacketTrace tWeb = cluster.status(cluster.trace(NS, "web", null, List.of("web-0")), Phase.Running, 1000, web);
        PacketTrace tApi = cluster.status(cluster.trace(NS, "api", null, List.of("api-0")), Phase.Running, 1000, api);
        NodeAgent agent = startAgent();
        awaitState(tWeb, AgentState.Tracing);
        awaitState(tApi, AgentState.Tracing);
        ScriptedTracer tracer = tracers.current();
        tracer.send(Packets.tcp(0xc1, NS_WEB, 80));
        awaitReport(tWeb, "web's first event", r -> r.events() == 1);

        cluster.status(tWeb, Phase.Completed, 1000, web);
        NodeReport detached = awaitState(tWeb, AgentState.Detached);
        assertEquals("the trace ended (Completed)", detached.message());
        assertEquals(1, detached.events(), "the last report keeps the final counts");
        awaitTracerNetns(Set.of(NS_API));
        assertEquals(1, tracers.started().size(), "the other trace's tracer stays loaded; only its namespaces change");

        tracer.send(Packets.tcp(0xc2, NS_WEB, 80)); // web's namespace is no longer traced
        tracer.send(Packets.tcp(0xc3, NS_API, 80));
        awaitReport(tApi, "api's event", r -> r.events() == 1);
        assertEquals(1, cluster.report(tWeb, NODE).orElseThrow().events());

        // The operator's finalizer keeps a deleted trace until its agents report Detached.
        PacketTrace withFinalizer = cluster.get(tApi).orElseThrow();
        withFinalizer.getMetadata().setFinalizers(List.of("packettrace.dev/detach-agents"));
        client.resource(withFinalizer).update();
        client.resource(cluster.get(tApi).orElseThrow()).delete();
        NodeReport apiDetached = awaitState(tApi, AgentState.Detached);
        assertEquals("the trace is being deleted", apiDetached.message());
        // no waiting: the operator lifts its finalizer on Detached, so the kernel must be free by then
        assertFalse(tracers.anyRunning(), "Detached is reported only after the last trace's tracer closed");
        assertEquals(Set.of(), agent.activeTraces());
    }

    @Test
    void aTraceDeletedOutrightIsDroppedWithoutAReport() {
        Pod web = podHere("web-0", 100, NS_WEB);
        PacketTrace t = cluster.status(cluster.trace(NS, "web", null, List.of("web-0")), Phase.Running, 1000, web);
        NodeAgent agent = startAgent();
        awaitState(t, AgentState.Tracing);
        client.resources(PacketTraceReport.class)
                .inNamespace(NS)
                .delete(); // as the garbage collector would, with the trace
        client.resource(cluster.get(t).orElseThrow()).delete();

        Eventually.await(
                WAIT,
                () -> !tracers.anyRunning() && agent.activeTraces().isEmpty(),
                () -> "detached after the deletion");
        assertEquals(List.of(), cluster.reports(NS), "nothing is written for a trace that no longer exists");
    }

    @Test
    void aRestartedAgentPicksUpARunningTraceAndContinuesItsCounts() {
        Pod web = podHere("web-0", 100, NS_WEB);
        PacketTrace t = cluster.status(cluster.trace(NS, "web", null, List.of("web-0")), Phase.Running, 1000, web);
        NodeAgent first = startAgent();
        awaitState(t, AgentState.Tracing);
        tracers.current().send(Packets.drop(0xd1, NS_WEB, 80));
        tracers.current().send(Packets.drop(0xd2, NS_WEB, 80));
        awaitReport(t, "two drops", r -> r.drops() == 2);

        first.close();
        NodeReport stopped = cluster.report(t, NODE).orElseThrow();
        assertEquals(AgentState.Detached, stopped.state(), "a stopping agent says it detached");
        assertEquals("the node agent on node-a stopped", stopped.message());
        assertFalse(tracers.anyRunning(), "nothing stays attached");

        startAgent();
        awaitState(t, AgentState.Tracing);
        assertEquals(2, tracers.started().size());
        tracers.current().send(Packets.drop(0xd3, NS_WEB, 80));
        NodeReport resumed = awaitReport(t, "the third drop on top of the first two", r -> r.drops() == 3);
        assertEquals(3, resumed.events());
        assertEquals(List.of(new DropGroup("NETFILTER_DROP", "nf_hook_slow+0x9c", 3L, null)), resumed.dropsByReason());
        assertEquals(3, resumed.recentEvents().size(), "recent events survive the restart too");
    }

    @Test
    void trackSkbRestartsTheTracerAndFollowsPacketsOnlyForTheTraceThatMatchedThem() {
        Pod web = podHere("web-0", 100, NS_WEB);
        Pod api = podHere("api-0", 200, NS_API);
        PacketTrace tWeb =
                cluster.status(cluster.trace(NS, "web", dstPort(9090), List.of("web-0")), Phase.Running, 1000, web);
        startAgent();
        awaitState(tWeb, AgentState.Tracing);
        ScriptedTracer plain = tracers.current();
        assertFalse(plain.config().filter().trackSkb());

        PacketTrace tApi = cluster.status(
                cluster.trace(NS, "api", trackedDstPort(8080), List.of("api-0")), Phase.Running, 1000, api);
        awaitState(tApi, AgentState.Tracing);
        Eventually.await(
                WAIT,
                () -> tracers.started().size() == 2 && plain.closed(),
                () -> "the tracer restarts with track-skb");
        ScriptedTracer tracking = tracers.current();
        assertTrue(tracking.config().filter().trackSkb());
        assertEquals(Set.of(NS_WEB, NS_API), tracking.netns());

        // api's packet leaves its namespace (say through a veth into an untraced one) and is freed there
        tracking.send(Packets.tcp(0xe1, NS_API, 8080));
        tracking.send(Packets.tcp(0xe1, NS_OTHER, 8080));
        tracking.send(Packets.consumed(0xe1, NS_OTHER, 8080));
        // web's packet is tracked by the kernel too (tracking is on for the whole tracer), but web did not ask for it
        tracking.send(Packets.tcp(0xe2, NS_WEB, 9090));
        tracking.send(Packets.tcp(0xe2, NS_OTHER, 9090));

        awaitReport(tApi, "api followed its packet", r -> r.events() == 3);
        awaitReport(tWeb, "web saw its packet once", r -> r.events() == 1);
        Eventually.await(WAIT, () -> stdoutLines().size() == 4, () -> "four lines: " + stdout);
        List<JsonNode> followed = stdoutLines().stream()
                .filter(l -> l.get("netns").asLong() == NS_OTHER)
                .toList();
        assertEquals(2, followed.size(), "only api's tracked events, none of web's: " + followed);
        assertTrue(
                followed.stream()
                        .allMatch(l -> l.get("trace").asText().equals("team-a/api")
                                && l.get("pod").asText().equals("team-a/api-0")),
                "tagged with the pod where the packet matched: " + followed);
    }

    @Test
    void stacksAreCapturedWhenATraceAsksAndWrittenOnlyOnItsLines() {
        Pod web = podHere("web-0", 100, NS_WEB);
        Pod api = podHere("api-0", 200, NS_API);
        PacketTrace tWeb = cluster.status(cluster.trace(NS, "web", null, List.of("web-0")), Phase.Running, 1000, web);
        startAgent();
        awaitState(tWeb, AgentState.Tracing);
        assertFalse(tracers.current().config().captureStack());

        PacketTrace tApi = cluster.status(
                cluster.trace(
                        NS,
                        "api",
                        new TargetSpec(null, List.of("api-0")),
                        null,
                        null,
                        new OutputSpec(true, false, true, 1000L, 5, false)),
                Phase.Running,
                1000,
                api);
        awaitState(tApi, AgentState.Tracing);
        Eventually.await(
                WAIT,
                () -> tracers.started().size() == 2
                        && tracers.current().config().captureStack(),
                () -> "the tracer restarts with stacks on");
        tracers.current().send(Packets.drop(0x71, NS_WEB, 80));
        tracers.current().send(Packets.drop(0x72, NS_API, 80));
        Eventually.await(WAIT, () -> stdoutLines().size() == 2, () -> "two lines: " + stdout);
        JsonNode webLine = stdoutLines().stream()
                .filter(l -> l.get("trace").asText().equals("team-a/web"))
                .findFirst()
                .orElseThrow();
        JsonNode apiLine = stdoutLines().stream()
                .filter(l -> l.get("trace").asText().equals("team-a/api"))
                .findFirst()
                .orElseThrow();
        assertFalse(webLine.has("stack"), webLine.toString());
        assertEquals("nf_hook_slow+0x9c", apiLine.get("stack").get(0).asText(), apiLine.toString());

        cluster.status(tApi, Phase.Completed, 1000, api);
        awaitState(tApi, AgentState.Detached);
        Eventually.await(
                WAIT,
                () -> tracers.started().size() == 3
                        && !tracers.current().config().captureStack()
                        && !tracers.current().closed(),
                () -> "without the trace that wanted stacks the tracer goes back to none");
    }

    @Test
    void aPodWhoseSandboxIsRecreatedIsFollowedIntoItsNewNamespace() throws IOException {
        Pod web = podHere("web-0", 100, NS_WEB);
        PacketTrace t = cluster.status(cluster.trace(NS, "web", null, List.of("web-0")), Phase.Running, 1000, web);
        startAgent();
        awaitState(t, AgentState.Tracing);
        ScriptedTracer tracer = tracers.current();

        long newNetns = 4026532777L;
        deleteRecursively(proc.root().resolve("100"));
        proc.process(
                101,
                v1(cgroupfsPodDir("besteffort", web.getMetadata().getUid()) + "/" + String.format("%064x", 101)),
                newNetns);
        client.resource(new PodBuilder(
                                client.pods().inNamespace(NS).withName("web-0").get())
                        .editStatus()
                        .addNewContainerStatus()
                        .withName("app")
                        .withContainerID("containerd://" + String.format("%064x", 101))
                        .withNewState()
                        .withNewRunning()
                        .endRunning()
                        .endState()
                        .endContainerStatus()
                        .endStatus()
                        .build())
                .updateStatus();

        NodeReport r = awaitReport(
                t,
                "the target in its new namespace",
                x -> !x.targets().isEmpty()
                        && Long.valueOf(newNetns).equals(x.targets().getFirst().netnsInode()));
        TargetStatus target = r.targets().getFirst();
        assertEquals(TargetState.Restarted, target.state());
        assertTrue(target.message().contains("changed from " + NS_WEB + " to " + newNetns), target.message());
        assertEquals(AgentState.Tracing, r.state());
        awaitTracerNetns(Set.of(newNetns));
        assertEquals(1, tracers.started().size(), "the namespace set changes in place, without reloading");

        tracer.send(Packets.drop(0xf1, newNetns, 80));
        awaitReport(t, "an event from the new namespace", x -> x.events() == 1);
    }

    @Test
    void reportsGoOutAtABoundedRateUnderSustainedTrafficAndAtOnceOnStateChanges() {
        Pod web = podHere("web-0", 100, NS_WEB);
        PacketTrace t = cluster.status(cluster.trace(NS, "web", null, List.of("web-0")), Phase.Running, 1_000_000, web);
        List<NodeReport> writes = new CopyOnWriteArrayList<>();
        try (var _ = client.resources(PacketTraceReport.class).inNamespace(NS).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, PacketTraceReport r) {
                writes.add(r.getSpec());
            }

            @Override
            public void onClose(WatcherException cause) {}
        })) {
            startAgent("500ms");
            awaitState(t, AgentState.Tracing);
            ScriptedTracer tracer = tracers.current();

            Duration load = Duration.ofSeconds(2);
            long end = System.nanoTime() + load.toNanos();
            AtomicInteger sent = new AtomicInteger();
            while (System.nanoTime() < end) {
                tracer.send(Packets.tcp(0x1000 + sent.get(), NS_WEB, 80));
                sent.incrementAndGet();
                LockSupport.parkNanos(Duration.ofMillis(1).toNanos()); // paces the traffic; nothing waits on it
            }
            awaitReport(t, "all " + sent.get() + " events counted", r -> r.events() == sent.get());
            Eventually.await(
                    WAIT,
                    () -> writes.stream().anyMatch(r -> r.events() == sent.get()),
                    () -> "the watch saw the last count");
            List<Long> counts = writes.stream()
                    .filter(r -> r.state() == AgentState.Tracing && r.events() > 0)
                    .map(NodeReport::events)
                    .toList();
            // 2 s of traffic at one report per 500 ms: about 4, plus the one that carries the last count
            assertTrue(
                    counts.size() >= 3 && counts.size() <= 6,
                    sent.get() + " events gave " + counts.size() + " report writes: " + counts);

            cluster.status(t, Phase.Completed, 1_000_000, web);
            awaitState(t, AgentState.Detached);
        }
    }

    @Test
    void aTraceThatCannotBeTracedFailsWithAMessageNamingTheCause() throws IOException {
        Pod web = podHere("web-0", 100, NS_WEB);
        // the mock API server runs no schema validation: these reach the agent as a misconfigured cluster could let
        // them
        PacketTrace badIp = cluster.status(
                cluster.trace(
                        NS,
                        "bad-ip",
                        new FilterSpec("10.0.0.300", null, null, null, null, null, null, false),
                        List.of("web-0")),
                Phase.Running,
                1000,
                web);
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.createDirectories(tmp.resolve("sink"));
        Files.createSymbolicLink(tmp.resolve("sink").resolve("escape"), outside);
        PacketTrace escape = cluster.status(
                cluster.trace(
                        NS, "escape", null, new SinkSpec("hostPath", "/var/log/packettrace/escape"), List.of("web-0")),
                Phase.Running,
                1000,
                web);
        PacketTrace fine = cluster.status(cluster.trace(NS, "fine", null, List.of("web-0")), Phase.Running, 1000, web);
        startAgent();

        NodeReport ip = awaitState(badIp, AgentState.Failed);
        assertTrue(ip.message().contains("spec.filter.srcIp") && ip.message().contains("10.0.0.300"), ip.message());
        assertEquals(TargetState.Failed, ip.targets().getFirst().state());
        NodeReport link = awaitState(escape, AgentState.Failed);
        assertTrue(
                link.message().contains("spec.sink.path") && link.message().contains("symbolic link"), link.message());
        try (var files = Files.list(outside)) {
            assertEquals(0, files.count(), "nothing was written through the link");
        }
        awaitState(fine, AgentState.Tracing);
    }

    @Test
    void whenTheTracerCannotStartTheTraceFailsWithTheKernelsReason() {
        Pod web = podHere("web-0", 100, NS_WEB);
        PacketTrace t = cluster.status(cluster.trace(NS, "web", null, List.of("web-0")), Phase.Running, 1000, web);
        tracers.failStarts(
                "the kernel refused to load BPF programs (EPERM): run as root, or grant CAP_BPF and CAP_PERFMON");
        NodeAgent agent = startAgent();
        NodeReport r = awaitState(t, AgentState.Failed);
        assertTrue(r.message().startsWith("the tracer could not start on node-a: the kernel refused"), r.message());
        assertEquals(Set.of(), agent.activeTraces());
    }

    @Test
    void aTraceWithAHostPathSinkGetsAFileOfItsOwn() throws IOException {
        Pod web = podHere("web-0", 100, NS_WEB);
        PacketTrace t = cluster.status(
                cluster.trace(
                        NS, "web", null, new SinkSpec("hostPath", "/var/log/packettrace/team-a"), List.of("web-0")),
                Phase.Running,
                1000,
                web);
        startAgent();
        awaitState(t, AgentState.Tracing);
        tracers.current().send(Packets.drop(0x51, NS_WEB, 80));
        awaitReport(t, "the drop", r -> r.events() == 1);

        Path file = tmp.resolve("sink").resolve("team-a").resolve("team-a_web.jsonl");
        Eventually.await(
                WAIT, () -> Files.exists(file) && lines(read(file)).size() == 1, () -> file + " holds the event");
        JsonNode line = lines(read(file)).getFirst();
        assertEquals("team-a/web", line.get("trace").asText());
        assertEquals("team-a/web-0", line.get("pod").asText());
        assertEquals("", stdout.toString(StandardCharsets.UTF_8), "nothing on stdout");
    }

    @Test
    void aTraceStopsCountingAtItsEventBudget() {
        Pod web = podHere("web-0", 100, NS_WEB);
        PacketTrace t = cluster.status(cluster.trace(NS, "web", null, List.of("web-0")), Phase.Running, 3, web);
        startAgent();
        awaitState(t, AgentState.Tracing);
        for (int i = 0; i < 5; i++) {
            tracers.current().send(Packets.drop(0x60 + i, NS_WEB, 80));
        }
        NodeReport r = awaitReport(t, "three events", x -> x.events() == 3 && x.message() != null);
        assertTrue(r.message().contains("reached the event budget of 3"), r.message());
        Eventually.await(WAIT, () -> stdoutLines().size() == 3, () -> "three lines: " + stdout);
    }

    @Test
    void findsItsTargetPodsItselfWhenTheOperatorShortenedTheTargetList() {
        Pod here = cluster.pod(NS, "web-7", NODE, Map.of("app", "web"));
        proc.process(
                700,
                v1(cgroupfsPodDir("besteffort", here.getMetadata().getUid()) + "/" + String.format("%064x", 700)),
                NS_WEB);
        Pod elsewhere = cluster.pod(NS, "web-1", "node-b", Map.of("app", "web"));
        cluster.pod(NS, "other-0", NODE, Map.of("app", "other"));
        PacketTrace t = cluster.trace(
                NS,
                "web",
                new TargetSpec(
                        new LabelSelectorBuilder()
                                .withMatchLabels(Map.of("app", "web"))
                                .build(),
                        List.of()),
                null,
                null);
        // 40 more targets than listed; the list shows none on this node
        t = cluster.status(t, Phase.Running, 1000, 40, elsewhere);
        startAgent();

        NodeReport r = awaitState(t, AgentState.Tracing);
        assertEquals(
                List.of("web-7"),
                r.targets().stream().map(TargetStatus::pod).toList(),
                "only the matching pod on this node");
        assertEquals(NS_WEB, r.targets().getFirst().netnsInode());
        awaitTracerNetns(Set.of(NS_WEB));
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
