// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packettrace.output.ClockOffset;
import dev.packettrace.output.OutputFormat;
import dev.packettrace.output.OutputOptions;
import dev.packettrace.output.StopReason;
import dev.packettrace.output.TimestampMode;
import dev.packettrace.tracer.AttachMonitor;
import dev.packettrace.tracer.Backend;
import dev.packettrace.tracer.TraceFilter;
import dev.packettrace.tracer.TraceListener;
import dev.packettrace.tracer.TraceStats;
import dev.packettrace.tracer.Tracer;
import dev.packettrace.tracer.TracerConfig;
import dev.packettrace.tracer.TracerException;
import dev.packettrace.tracer.TracerFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The CLI side of the function-level backends: flags, the attach line, progress, and Ctrl-C while attaching. */
class FunctionBackendCliTest {

    private final FakeClock clock = new FakeClock();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private CliContext context(TracerFactory sessions) {
        return new CliContext(
                out,
                new PrintStream(err, true, StandardCharsets.UTF_8),
                sessions,
                clock,
                () -> new ClockOffset(0, "test", 0),
                new NetnsResolver(),
                false);
    }

    private TraceRun parse(String... traceArgs) {
        var cl = PacketTraceCli.commandLine(context((c, l) -> {
            throw new AssertionError("not started when only parsing");
        }));
        List<String> args = new ArrayList<>(List.of("trace"));
        args.addAll(List.of(traceArgs));
        TraceCommand trace = cl.parseArgs(args.toArray(String[]::new))
                .subcommand()
                .commandSpec()
                .commandLine()
                .getCommand();
        return trace.traceRun();
    }

    private int exec(TracerFactory sessions, String... args) {
        return PacketTraceCli.execute(context(sessions), args);
    }

    @Test
    void filterFuncAndOutputCallerReachTheTracerConfig() {
        TracerConfig config = parse("--filter-func", "ip_.*|nf_hook_slow", "--output-caller", "--backend", "kprobe")
                .config();
        assertEquals(Optional.of("ip_.*|nf_hook_slow"), config.functionFilter().expression());
        assertTrue(config.functionFilter().matches("ip_rcv")
                && !config.functionFilter().matches("tcp_v4_rcv"));
        assertTrue(config.outputCaller());
        assertEquals(Backend.KPROBE, config.backend());

        TracerConfig defaults = parse().config();
        assertEquals(Optional.empty(), defaults.functionFilter().expression());
        assertFalse(defaults.outputCaller());
    }

    @Test
    void badFunctionFlagsExitWithTwoNamingTheFlag() {
        assertUsageError(
                "--filter-func: 'ip_(' is not a valid RE2 regular expression", "trace", "--filter-func", "ip_(");
        assertUsageError(
                "--filter-func: 'ip_rcv' selects kernel functions to probe, but --backend tracepoint probes none",
                "trace",
                "--backend",
                "tracepoint",
                "--filter-func",
                "ip_rcv");
        assertUsageError(
                "--output-caller: function probes report their caller, but --backend tracepoint probes no functions",
                "trace",
                "--backend",
                "tracepoint",
                "--output-caller");
    }

    private void assertUsageError(String expected, String... args) {
        out.reset();
        err.reset();
        int exit = exec(
                (c, l) -> {
                    throw new AssertionError("the tracer is not started on bad input");
                },
                args);
        String stderr = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, exit, stderr);
        assertTrue(stderr.startsWith(expected), stderr);
        assertFalse(stderr.contains("\tat "), "no stack trace: " + stderr);
    }

    @Test
    void theAttachLineCountsIgnoredFunctionsLikePwru() {
        Tracer session = new FixedSession(
                Backend.KPROBE,
                List.of("skb:kfree_skb", "ip_rcv", "nf_hook_slow"),
                Map.of("inlined_fn", "ENOENT", "other_fn", "EINVAL"));
        assertEquals(
                "Attached 3 probes (ignored 2) with the kprobe backend (because) in 1500 ms",
                TraceRunner.attachedLine(session));
        Tracer none = new FixedSession(Backend.TRACEPOINT, List.of("skb:kfree_skb"), Map.of());
        assertEquals(
                "Attached 1 probe with the tracepoint backend (because) in 1500 ms", TraceRunner.attachedLine(none));
    }

    @Test
    void aStopWhileAttachingCancelsTheAttachAndStillEndsWithASummary() throws Exception {
        AtomicReference<TraceRunner> runner = new AtomicReference<>();
        List<Integer> progressSeen = new ArrayList<>();
        TracerFactory attaching = new TracerFactory() {
            @Override
            public Tracer start(TracerConfig config, TraceListener listener) {
                throw new AssertionError("the runner passes its monitor");
            }

            @Override
            public Tracer start(TracerConfig config, TraceListener listener, AttachMonitor monitor) {
                for (int done = 1; done <= 1500; done++) {
                    if (monitor.cancelled()) {
                        progressSeen.add(done);
                        throw new TracerException(
                                TracerException.Reason.CANCELLED,
                                "stopped while attaching kprobe probes (" + (done - 1) + " of 1500 attached)");
                    }
                    monitor.progress(Backend.KPROBE, done, done / 100, 1500);
                    clock.advance(Duration.ofMillis(100)); // each attach takes a tenth of a second
                    if (done == 400) {
                        runner.get().requestStop(StopReason.SIGNAL); // Ctrl-C
                    }
                }
                throw new AssertionError("attaching was not cancelled");
            }
        };
        TraceRunner r = new TraceRunner(
                attaching,
                clock,
                () -> new ClockOffset(0, "test", 0),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        runner.set(r);
        OutputOptions json = new OutputOptions(
                OutputFormat.JSON, TimestampMode.NONE, false, false, false, Optional.empty(), OptionalLong.empty());

        RunResult result = r.run(
                new TraceRun(TracerConfig.of(TraceFilter.all()).withBackend(Backend.KPROBE), json, Optional.empty()),
                out);

        assertEquals(StopReason.SIGNAL, result.stoppedBy());
        assertEquals(List.of(401), progressSeen, "the attach stopped at the next function");
        String status = err.toString(StandardCharsets.UTF_8);
        assertTrue(
                status.contains(
                        "Stopped while attaching: stopped while attaching kprobe probes (400 of 1500 attached)"),
                status);
        List<String> progressLines = status.lines()
                .filter(l -> l.startsWith("Attaching kprobe probes: "))
                .toList();
        assertEquals(
                39,
                progressLines.size(),
                "one line per second of attaching (40 s here, none in the first): " + progressLines);
        assertEquals("Attaching kprobe probes: 11/1500", progressLines.getFirst());
        assertEquals("Attaching kprobe probes: 391/1500 (ignored 3)", progressLines.getLast());
        JsonNode summary = new ObjectMapper()
                .readTree(out.toString(StandardCharsets.UTF_8).strip())
                .get("summary");
        assertEquals(0, summary.get("events").asLong());
        assertEquals("signal", summary.get("stoppedBy").asText());
    }

    /** A started session that only reports how it attached. */
    private record FixedSession(Backend backend, List<String> attachedProbes, Map<String, String> ignoredProbes)
            implements Tracer {

        @Override
        public String backendReason() {
            return "because";
        }

        @Override
        public Duration attachTime() {
            return Duration.ofMillis(1500);
        }

        @Override
        public int poll(Duration timeout) {
            return 0;
        }

        @Override
        public TraceStats stats() {
            return new TraceStats(0, 0);
        }

        @Override
        public void close() {}
    }
}
