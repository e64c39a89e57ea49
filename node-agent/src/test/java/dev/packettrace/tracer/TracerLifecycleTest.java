// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.testing.Bpftool;
import dev.packettrace.testing.Eventually;
import dev.packettrace.testing.Privileged;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Attach, detach and loss accounting against the real kernel. */
@Tag("privileged")
class TracerLifecycleTest {

    private static final Duration KERNEL_FREE_DEADLINE = Duration.ofSeconds(10);

    @BeforeEach
    void root() {
        Privileged.requireRoot();
    }

    @Test
    void attachesEveryTracepointTheKernelHasAndCloseDetachesThemAll() {
        List<Integer> ids;
        try (TracerSession session =
                TracerSession.start(TracerConfig.of(TraceFilter.all()), e -> {}, AddressSymbolizer.none())) {
            assertTrue(
                    session.attachedProbes().contains("skb:kfree_skb"),
                    session.attachedProbes().toString());
            assertTrue(
                    session.attachedProbes().contains("net:netif_receive_skb"),
                    session.attachedProbes().toString());
            assertEquals(Backend.TRACEPOINT, session.backend());
            ids = session.kernelProgramIds();
            assertEquals(session.attachedProbes().size(), ids.size());
            ids.forEach(id -> assertTrue(Bpftool.programLoaded(id), "program " + id + " loaded while tracing"));
        }
        Eventually.await(
                KERNEL_FREE_DEADLINE,
                () -> ids.stream().noneMatch(Bpftool::programLoaded),
                () -> "programs still loaded after close: "
                        + ids.stream().filter(Bpftool::programLoaded).toList());
    }

    @Test
    void killMinus9OfATracingProcessLeavesNothingLoaded() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process tracer = new ProcessBuilder(
                        java,
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        TracingProcess.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        List<Integer> ids;
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(tracer.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            assertTrue(line != null && line.startsWith("ids="), "tracing process reported its programs: " + line);
            ids = Arrays.stream(line.substring(4).split(","))
                    .map(Integer::parseInt)
                    .toList();
            assertFalse(ids.isEmpty());
            ids.forEach(
                    id -> assertTrue(Bpftool.programLoaded(id), "program " + id + " loaded by the tracing process"));
        } finally {
            tracer.destroyForcibly(); // SIGKILL: no shutdown hook, no close()
        }
        tracer.waitFor();
        assertEquals(137, tracer.exitValue(), "killed by SIGKILL");
        Eventually.await(
                KERNEL_FREE_DEADLINE,
                () -> ids.stream().noneMatch(Bpftool::programLoaded),
                () -> "programs still loaded after kill -9: "
                        + ids.stream().filter(Bpftool::programLoaded).toList());
    }
}
