package dev.packettrace.operator;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

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
    }

    @Test
    void readsEverySetting() {
        OperatorConfig c = OperatorConfig.fromEnv(Map.ofEntries(
                Map.entry("PACKETTRACE_NAMESPACE", "ops"),
                Map.entry("PACKETTRACE_AGENT_IMAGE", "registry.local/agent:1"),
                Map.entry("PACKETTRACE_AGENT_RESOURCES", "{\"limits\":{\"memory\":\"1Gi\"}}"),
                Map.entry("PACKETTRACE_AGENT_TOLERATIONS", "[{\"key\":\"gpu\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]"),
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
        var ds = AgentDaemonSet.desired(c, new java.util.TreeSet<>(List.of("n1")), java.util.Optional.empty());
        assertTrue(ds.getSpec().getTemplate().getSpec().getContainers().getFirst().getSecurityContext().getAllowPrivilegeEscalation(),
                "Kubernetes requires it next to SYS_ADMIN");
    }

    @Test
    void badValuesNameTheVariable() {
        assertMessage("PACKETTRACE_MAX_DURATION='forever' is not valid", Map.of("PACKETTRACE_MAX_DURATION", "forever"));
        assertMessage("PACKETTRACE_MAX_TRACES_PER_NODE: must be at least 1, got 0", Map.of("PACKETTRACE_MAX_TRACES_PER_NODE", "0"));
        assertMessage("PACKETTRACE_CAP_POLICY='sometimes' is not valid", Map.of("PACKETTRACE_CAP_POLICY", "sometimes"));
        assertMessage("PACKETTRACE_AGENT_TOLERATIONS='not json' is not valid", Map.of("PACKETTRACE_AGENT_TOLERATIONS", "not json"));
        assertMessage("PACKETTRACE_MAX_EVENTS_PER_TRACE='many' is not valid", Map.of("PACKETTRACE_MAX_EVENTS_PER_TRACE", "many"));
    }

    private static void assertMessage(String expected, Map<String, String> env) {
        var e = assertThrows(OperatorConfig.ConfigException.class, () -> OperatorConfig.fromEnv(env));
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    }
}
