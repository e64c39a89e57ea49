// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.operator;

import static org.junit.jupiter.api.Assertions.*;

import dev.packettrace.operator.daemonset.AgentDaemonSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OperatorConfigTest {

    @Test
    void defaultsAreSafe() {
        OperatorConfig c = OperatorConfig.fromEnv(Map.of());
        assertEquals("packettrace-system", c.operatorNamespace());
        assertEquals(Duration.ofHours(1), c.maxDuration());
        assertEquals(OperatorConfig.CapPolicy.CLAMP, c.capPolicy());
        assertFalse(c.agentCapabilities().contains("SYS_ADMIN"), "no SYS_ADMIN unless an old kernel needs it");
        assertTrue(c.leaderElection());
        assertEquals("Exists", c.agentTolerations().getFirst().getOperator());
        assertFalse(c.allowPacketContent(), "packet contents are forbidden unless allowed");
        assertFalse(c.agentPrivileged());
        assertEquals(Map.of(), c.agentNodeSelector());
        assertEquals("/var/log/packettrace", c.agentSinkHostDirectory());
        assertEquals("stdout", c.agentDefaultSink());
    }

    @Test
    void theDaemonSetMountsTheHostReadOnlyExceptTheSink() {
        OperatorConfig c = OperatorConfig.fromEnv(Map.of(
                "PACKETTRACE_AGENT_SINK_HOST_DIRECTORY", "/data/packettrace",
                "PACKETTRACE_AGENT_DEFAULT_SINK", "/var/log/packettrace/events.jsonl",
                "PACKETTRACE_AGENT_NODE_SELECTOR", "{\"kubernetes.io/os\":\"linux\"}"));
        var pod = AgentDaemonSet.desired(
                        c,
                        new java.util.TreeSet<>(List.of("n1")),
                        java.util.Optional.empty(),
                        java.util.Optional.empty())
                .getSpec()
                .getTemplate()
                .getSpec();
        var container = pod.getContainers().getFirst();
        Map<String, String> hostPaths = new java.util.TreeMap<>();
        pod.getVolumes().forEach(v -> hostPaths.put(v.getName(), v.getHostPath().getPath()));
        assertEquals(
                Map.of(
                        "btf",
                        "/sys/kernel/btf",
                        "cgroup",
                        "/sys/fs/cgroup",
                        "proc",
                        "/proc",
                        "tracefs",
                        "/sys/kernel/tracing",
                        "sink",
                        "/data/packettrace"),
                hostPaths);
        Map<String, Boolean> readOnly = new java.util.TreeMap<>();
        container.getVolumeMounts().forEach(m -> readOnly.put(m.getMountPath(), Boolean.TRUE.equals(m.getReadOnly())));
        assertEquals(
                Map.of(
                        "/sys/kernel/btf",
                        true,
                        "/host/sys/fs/cgroup",
                        true,
                        "/host/proc",
                        true,
                        "/sys/kernel/tracing",
                        true,
                        "/var/log/packettrace",
                        false),
                readOnly);
        Map<String, String> env = new java.util.TreeMap<>();
        container.getEnv().stream().filter(e -> e.getValue() != null).forEach(e -> env.put(e.getName(), e.getValue()));
        assertEquals(
                Map.of("PACKETTRACE_PROC_ROOT", "/host/proc", "PACKETTRACE_SINK", "/var/log/packettrace/events.jsonl"),
                env);
        assertEquals(Map.of("kubernetes.io/os", "linux"), pod.getNodeSelector());
        var sc = container.getSecurityContext();
        assertFalse(sc.getPrivileged());
        assertFalse(sc.getAllowPrivilegeEscalation());
        assertTrue(sc.getReadOnlyRootFilesystem());
        assertEquals(OperatorConfig.DEFAULT_CAPABILITIES, sc.getCapabilities().getAdd());
    }

    @Test
    void privilegedSwitchReplacesTheCapabilitySet() {
        OperatorConfig c = OperatorConfig.fromEnv(Map.of("PACKETTRACE_AGENT_PRIVILEGED", "true"));
        var sc = AgentDaemonSet.desired(
                        c,
                        new java.util.TreeSet<>(List.of("n1")),
                        java.util.Optional.empty(),
                        java.util.Optional.empty())
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .getFirst()
                .getSecurityContext();
        assertTrue(sc.getPrivileged());
        assertTrue(sc.getAllowPrivilegeEscalation(), "Kubernetes rejects privileged without privilege escalation");
        assertNull(sc.getCapabilities());
        assertTrue(sc.getReadOnlyRootFilesystem());
    }

    @Test
    void readsEverySetting() {
        OperatorConfig c = OperatorConfig.fromEnv(Map.ofEntries(
                Map.entry("PACKETTRACE_NAMESPACE", "ops"),
                Map.entry("PACKETTRACE_AGENT_IMAGE", "registry.local/agent:1"),
                Map.entry("PACKETTRACE_AGENT_RESOURCES", "{\"limits\":{\"memory\":\"1Gi\"}}"),
                Map.entry(
                        "PACKETTRACE_AGENT_TOLERATIONS",
                        "[{\"key\":\"gpu\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]"),
                Map.entry("PACKETTRACE_AGENT_CAPABILITIES", "BPF, PERFMON,SYS_ADMIN"),
                Map.entry("PACKETTRACE_MAX_DURATION", "2h"),
                Map.entry("PACKETTRACE_MAX_EVENTS_PER_TRACE", "42"),
                Map.entry("PACKETTRACE_MAX_TRACES_PER_NODE", "3"),
                Map.entry("PACKETTRACE_CAP_POLICY", "reject"),
                Map.entry("PACKETTRACE_IDLE_GRACE_PERIOD", "90s"),
                Map.entry("PACKETTRACE_LEADER_ELECTION", "false")));
        assertEquals("ops", c.operatorNamespace());
        assertEquals("registry.local/agent:1", c.agentImage());
        assertEquals("1Gi", c.agentResources().getLimits().get("memory").toString());
        assertEquals("gpu", c.agentTolerations().getFirst().getKey());
        assertEquals(List.of("BPF", "PERFMON", "SYS_ADMIN"), c.agentCapabilities());
        assertEquals(Duration.ofHours(2), c.maxDuration());
        assertEquals(42, c.maxEventsPerTrace());
        assertEquals(3, c.maxTracesPerNode());
        assertEquals(OperatorConfig.CapPolicy.REJECT, c.capPolicy());
        assertEquals(Duration.ofSeconds(90), c.idleGracePeriod());
        assertFalse(c.leaderElection());
        var ds = AgentDaemonSet.desired(
                c, new java.util.TreeSet<>(List.of("n1")), java.util.Optional.empty(), java.util.Optional.empty());
        assertTrue(
                ds.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .getFirst()
                        .getSecurityContext()
                        .getAllowPrivilegeEscalation(),
                "Kubernetes requires it next to SYS_ADMIN");
    }

    @Test
    void badValuesNameTheVariable() {
        assertMessage("PACKETTRACE_MAX_DURATION='forever' is not valid", Map.of("PACKETTRACE_MAX_DURATION", "forever"));
        assertMessage(
                "PACKETTRACE_MAX_TRACES_PER_NODE: must be at least 1, got 0",
                Map.of("PACKETTRACE_MAX_TRACES_PER_NODE", "0"));
        assertMessage("PACKETTRACE_CAP_POLICY='sometimes' is not valid", Map.of("PACKETTRACE_CAP_POLICY", "sometimes"));
        assertMessage(
                "PACKETTRACE_AGENT_TOLERATIONS='not json' is not valid",
                Map.of("PACKETTRACE_AGENT_TOLERATIONS", "not json"));
        assertMessage(
                "PACKETTRACE_MAX_EVENTS_PER_TRACE='many' is not valid",
                Map.of("PACKETTRACE_MAX_EVENTS_PER_TRACE", "many"));
        assertMessage(
                "PACKETTRACE_ALLOW_PACKET_CONTENT='yes' is not valid: must be true or false",
                Map.of("PACKETTRACE_ALLOW_PACKET_CONTENT", "yes"));
        assertMessage(
                "PACKETTRACE_AGENT_PRIVILEGED='ture' is not valid", Map.of("PACKETTRACE_AGENT_PRIVILEGED", "ture"));
        assertMessage(
                "PACKETTRACE_AGENT_NODE_SELECTOR='{\"a\":1}' is not valid: the value of 'a' must be a string",
                Map.of("PACKETTRACE_AGENT_NODE_SELECTOR", "{\"a\":1}"));
        assertMessage(
                "PACKETTRACE_AGENT_SINK_HOST_DIRECTORY: '/var/../etc' must be an absolute directory",
                Map.of("PACKETTRACE_AGENT_SINK_HOST_DIRECTORY", "/var/../etc"));
        assertMessage(
                "PACKETTRACE_AGENT_DEFAULT_SINK: '/etc/passwd' must be stdout or a file below /var/log/packettrace",
                Map.of("PACKETTRACE_AGENT_DEFAULT_SINK", "/etc/passwd"));
    }

    @Test
    void theBuilderChangesOnlyWhatItIsToldAndStillValidates() {
        OperatorConfig c = OperatorConfig.defaults("ns");
        assertEquals(c, c.toBuilder().build());
        OperatorConfig reject = c.toBuilder()
                .capPolicy(OperatorConfig.CapPolicy.REJECT)
                .maxTracesPerNode(2)
                .build();
        assertEquals(OperatorConfig.CapPolicy.REJECT, reject.capPolicy());
        assertEquals(2, reject.maxTracesPerNode());
        assertEquals(
                c,
                reject.toBuilder()
                        .capPolicy(c.capPolicy())
                        .maxTracesPerNode(c.maxTracesPerNode())
                        .build());
        var e = assertThrows(
                OperatorConfig.ConfigException.class,
                () -> c.toBuilder().maxTracesPerNode(0).build());
        assertTrue(e.getMessage().startsWith("PACKETTRACE_MAX_TRACES_PER_NODE: must be at least 1"), e.getMessage());
        assertThrows(NullPointerException.class, () -> c.toBuilder().operatorDeployment(null));
    }

    private static void assertMessage(String expected, Map<String, String> env) {
        var e = assertThrows(OperatorConfig.ConfigException.class, () -> OperatorConfig.fromEnv(env));
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    }
}
