// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.api.v1alpha1.FilterSpec;
import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.api.v1alpha1.PacketTraceSpec;
import dev.packettrace.api.v1alpha1.TargetSpec;
import dev.packettrace.api.validation.TraceRequest;
import dev.packettrace.output.ClockOffset;
import dev.packettrace.output.EventTags;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventSinksTest {

    @TempDir
    Path tmp;

    EventSinks sinks(Map<String, String> extra, ByteArrayOutputStream stdout) {
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "NODE_NAME",
                "node-a",
                "PACKETTRACE_SINK_ROOT",
                tmp.resolve("root").toString()));
        env.putAll(extra);
        return new EventSinks(AgentConfig.fromEnv(env), () -> new ClockOffset(1_000_000_000_000L, "test", 0), stdout);
    }

    static PacketTrace trace(String ns, String name) {
        return PacketTrace.of(
                ns,
                name,
                new PacketTraceSpec(new TargetSpec(null, List.of("p")), FilterSpec.none(), null, null, null, null));
    }

    static final EventTags TAGS = EventTags.builder().add("trace", "a/b").build();

    @Test
    void aHostPathSinkIsAFilePerTraceBelowTheMountedRoot() throws IOException {
        try (EventSinks s = sinks(Map.of(), new ByteArrayOutputStream())) {
            EventSink sink =
                    s.open(trace("team-a", "web"), new TraceRequest.Sink.HostPath("/var/log/packettrace/incident-42"));
            Path file = tmp.resolve("root/incident-42/team-a_web.jsonl");
            assertEquals(file.toString(), sink.name());
            sink.write(Packets.drop(1, 10, 80), TAGS, false);
            s.release(sink);
            String line = Files.readString(file);
            assertTrue(
                    line.startsWith("{\"trace\":\"a/b\",\"time\":\"1970-01-01T00:16:41."),
                    "wall-clock time from the offset: " + line);
            assertTrue(line.endsWith("\n"));
        }
    }

    @Test
    void tracesWithTheDefaultSinkShareIt() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (EventSinks s = sinks(Map.of(), out)) {
            EventSink a = s.open(trace("ns", "a"), new TraceRequest.Sink.Stdout());
            EventSink b = s.open(trace("ns", "b"), new TraceRequest.Sink.Stdout());
            assertSame(a, b);
            a.write(Packets.tcp(1, 10, 80), TAGS, false);
            s.release(a); // flushes, does not close what b still uses
            b.write(Packets.tcp(2, 10, 80), TAGS, false);
            s.flushAll();
            assertEquals(2, out.toString(StandardCharsets.UTF_8).lines().count());
        }
    }

    @Test
    void theDefaultSinkCanBeAFileBelowTheRoot() throws IOException {
        try (EventSinks s = sinks(
                Map.of("PACKETTRACE_SINK", tmp.resolve("root/all/events.jsonl").toString()),
                new ByteArrayOutputStream())) {
            EventSink sink = s.open(trace("ns", "a"), new TraceRequest.Sink.Stdout());
            sink.write(Packets.tcp(1, 10, 80), TAGS, false);
            s.flushAll();
            assertEquals(
                    1, Files.readAllLines(tmp.resolve("root/all/events.jsonl")).size());
        }
    }

    @Test
    void refusesPathsThatLeadOutOfTheRoot() throws IOException {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.createDirectories(tmp.resolve("root/a"));
        Files.createSymbolicLink(tmp.resolve("root/a/link"), outside);
        Files.createSymbolicLink(tmp.resolve("root/a/ns_file.jsonl"), outside.resolve("target.jsonl"));
        try (EventSinks s = sinks(Map.of(), new ByteArrayOutputStream())) {
            assertRefused(s, "/var/log/packettrace/a/link", "symbolic link");
            assertRefused(s, "/var/log/packettrace/a/../../../etc", "spec.sink.path");
            assertRefused(s, "/etc", "below /var/log/packettrace");
            IllegalArgumentException planted = assertThrows(
                    IllegalArgumentException.class,
                    () -> s.open(trace("ns", "file"), new TraceRequest.Sink.HostPath("/var/log/packettrace/a")));
            assertTrue(planted.getMessage().startsWith("spec.sink.path: cannot open"), planted.getMessage());
        }
        try (var files = Files.list(outside)) {
            assertEquals(0, files.count(), "nothing was created outside the root");
        }
    }

    static void assertRefused(EventSinks s, String path, String why) {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> s.open(trace("ns", "t"), new TraceRequest.Sink.HostPath(path)));
        assertTrue(e.getMessage().startsWith("spec.sink.path") && e.getMessage().contains(why), e.getMessage());
    }
}
