// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM to a real JVM running the CLI: probes are detached and the summary printed before it exits. */
class SignalHandlingTest {

    @Test
    void sigtermEndsTheRunWithASummary(@TempDir Path dir) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        // Files, not pipes: the JDK closes a child's pipes when it exits, under a reader that is still reading.
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        Process child = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        SignalChild.class.getName(),
                        "trace",
                        "--output-json")
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        try {
            assertTrue(
                    awaitLine(err, "Attached 1 probe with the tracepoint backend", 30),
                    "the child attached; its stderr: " + Files.readString(err));

            child.destroy(); // SIGTERM

            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child exits after SIGTERM");
            assertEquals(143, child.exitValue(), "128 + SIGTERM");
            List<String> errLines = Files.readAllLines(err);
            assertEquals(
                    List.of("child: session closed"),
                    errLines.subList(1, errLines.size()),
                    "the session was closed, nothing else went to stderr");
            List<String> lines = Files.readAllLines(out);
            JsonNode summary = new ObjectMapper().readTree(lines.getLast()).get("summary");
            assertEquals("signal", summary.get("stoppedBy").asText(), lines.getLast());
            assertEquals(lines.size() - 1, summary.get("printed").asLong(), "every printed event is on stdout");
        } finally {
            child.destroyForcibly();
        }
    }

    /** Waits until the file has a line starting with prefix; checks every 10 ms until the deadline. */
    private static boolean awaitLine(Path file, String prefix, int seconds) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (Files.readAllLines(file).stream().anyMatch(l -> l.startsWith(prefix))) {
                return true;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        return false;
    }
}
