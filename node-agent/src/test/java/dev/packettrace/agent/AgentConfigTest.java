// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.api.report.AgentProtocol;
import dev.packettrace.tracer.TracerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentConfigTest {

    @Test
    void defaultsSuitANodeWithHostPid() {
        AgentConfig c = AgentConfig.fromEnv(Map.of("NODE_NAME", "ip-10-0-1-7.ec2.internal"));
        assertEquals("ip-10-0-1-7.ec2.internal", c.nodeName());
        assertEquals(Path.of("/proc"), c.procRoot());
        assertEquals(1, c.nodeReferencePid());
        assertEquals(Path.of("/var/log/packettrace"), c.sinkRoot());
        assertEquals(new DefaultSink.Stdout(), c.defaultSink());
        assertEquals(AgentProtocol.REPORT_INTERVAL, c.reportInterval());
        assertEquals(AgentConfig.DEFAULT_RESOLVE_INTERVAL, c.resolveInterval());
        assertEquals(TracerConfig.DEFAULT_RING_BUFFER_BYTES, c.ringBufferBytes());
    }

    @Test
    void readsEverySetting() {
        AgentConfig c = AgentConfig.fromEnv(Map.of(
                "NODE_NAME",
                "node-a",
                "PACKETTRACE_PROC_ROOT",
                "/host/proc",
                "PACKETTRACE_NODE_REFERENCE_PID",
                "7",
                "PACKETTRACE_SINK_ROOT",
                "/data/pt",
                "PACKETTRACE_SINK",
                "/data/pt/all.jsonl",
                "PACKETTRACE_REPORT_INTERVAL",
                "2s",
                "PACKETTRACE_RESOLVE_INTERVAL",
                "500ms",
                "PACKETTRACE_RING_BUFFER",
                "16Mi"));
        assertEquals(Path.of("/host/proc"), c.procRoot());
        assertEquals(7, c.nodeReferencePid());
        assertEquals(new DefaultSink.File(Path.of("/data/pt/all.jsonl")), c.defaultSink());
        assertEquals(Duration.ofSeconds(2), c.reportInterval());
        assertEquals(Duration.ofMillis(500), c.resolveInterval());
        assertEquals(16 << 20, c.ringBufferBytes());
    }

    @Test
    void badSettingsNameTheirVariable() {
        assertVariable("NODE_NAME", Map.of());
        assertVariable("NODE_NAME", Map.of("NODE_NAME", "Node_A"));
        assertVariable("PACKETTRACE_PROC_ROOT", with("PACKETTRACE_PROC_ROOT", "proc"));
        assertVariable("PACKETTRACE_NODE_REFERENCE_PID", with("PACKETTRACE_NODE_REFERENCE_PID", "one"));
        assertVariable("PACKETTRACE_NODE_REFERENCE_PID", with("PACKETTRACE_NODE_REFERENCE_PID", "0"));
        assertVariable("PACKETTRACE_SINK", with("PACKETTRACE_SINK", "/etc/passwd"));
        assertVariable("PACKETTRACE_SINK", with("PACKETTRACE_SINK", "/var/log/packettrace/../../etc/x"));
        assertVariable("PACKETTRACE_SINK_ROOT", with("PACKETTRACE_SINK_ROOT", "/var/log/../tmp"));
        assertVariable("PACKETTRACE_REPORT_INTERVAL", with("PACKETTRACE_REPORT_INTERVAL", "fast"));
        assertVariable("PACKETTRACE_REPORT_INTERVAL", with("PACKETTRACE_REPORT_INTERVAL", "10ms"));
        assertVariable("PACKETTRACE_RESOLVE_INTERVAL", with("PACKETTRACE_RESOLVE_INTERVAL", "11m"));
        assertVariable("PACKETTRACE_RING_BUFFER", with("PACKETTRACE_RING_BUFFER", "3Mi"));
        assertVariable("PACKETTRACE_RING_BUFFER", with("PACKETTRACE_RING_BUFFER", "lots"));
    }

    @Test
    void theAgentCommandSaysWhichSettingIsWrongAndExitsWithTwo() {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int code = NodeAgent.run(
                Map.of("NODE_NAME", "node-a", "PACKETTRACE_REPORT_INTERVAL", "soon"),
                new java.io.ByteArrayOutputStream(),
                new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(2, code);
        assertEquals(
                "packettrace agent: PACKETTRACE_REPORT_INTERVAL='soon' is not a duration like 500ms, 2s or 1m\n",
                err.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    static Map<String, String> with(String key, String value) {
        Map<String, String> env = new HashMap<>(Map.of("NODE_NAME", "node-a"));
        env.put(key, value);
        return env;
    }

    static void assertVariable(String variable, Map<String, String> env) {
        AgentConfigException e = assertThrows(AgentConfigException.class, () -> AgentConfig.fromEnv(env));
        assertTrue(e.getMessage().startsWith(variable), e.getMessage());
    }
}
