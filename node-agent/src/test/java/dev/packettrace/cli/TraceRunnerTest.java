// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packettrace.output.ClockOffset;
import dev.packettrace.output.OutputFormat;
import dev.packettrace.output.OutputOptions;
import dev.packettrace.output.SampleEvents;
import dev.packettrace.output.StopReason;
import dev.packettrace.output.TimestampMode;
import dev.packettrace.testing.ScriptedTracer;
import dev.packettrace.testing.ScriptedTracers;
import dev.packettrace.tracer.EventStream;
import dev.packettrace.tracer.PacketEvent;
import dev.packettrace.tracer.TraceFilter;
import dev.packettrace.tracer.TracerConfig;
import dev.packettrace.tracer.TracerException;
import dev.packettrace.tracer.TracerFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

class TraceRunnerTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final FakeClock clock = new FakeClock();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream status = new ByteArrayOutputStream();

    private TraceRunner runner(TracerFactory factory) {
        return new TraceRunner(
                factory,
                clock,
                () -> new ClockOffset(0, "test", 0),
                new PrintStream(status, true, StandardCharsets.UTF_8));
    }

    private static TraceRun request(OutputFormat format, OptionalLong limit, Optional<Duration> duration) {
        OutputOptions o =
                new OutputOptions(format, TimestampMode.RELATIVE, false, false, false, Optional.empty(), limit);
        return new TraceRun(TracerConfig.of(TraceFilter.all()), o, duration);
    }

    /** Every poll delivers n TCP events stamped with the poll number. */
    private static IntFunction<List<PacketEvent>> eventsPerPoll(int n) {
        return i -> {
            List<PacketEvent> batch = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                batch.add(SampleEvents.tcp(1_000_000L * i + k));
            }
            return batch;
        };
    }

    private List<JsonNode> jsonLines() throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            lines.add(MAPPER.readTree(line));
        }
        return lines;
    }

    @Test
    void stopsWhenTheLineLimitIsReached() throws IOException {
        ScriptedTracers factory = ScriptedTracers.scripted(clock::advance, eventsPerPoll(3));
        RunResult result = runner(factory).run(request(OutputFormat.JSON, OptionalLong.of(7), Optional.empty()), out);

        assertEquals(StopReason.LIMIT, result.stoppedBy());
        ScriptedTracer session = factory.current();
        assertEquals(3, session.polls(), "the third poll reached 7; no drain poll after a limit stop");
        assertTrue(session.closed());
        List<JsonNode> lines = jsonLines();
        assertEquals(8, lines.size(), "7 events and the summary");
        for (JsonNode e : lines.subList(0, 7)) {
            assertEquals("net:netif_receive_skb", e.get("probe").asText());
        }
        JsonNode summary = lines.get(7).get("summary");
        assertEquals(9, summary.get("events").asLong(), "the 2 events past the limit are still counted");
        assertEquals(7, summary.get("printed").asLong());
        assertEquals("limit", summary.get("stoppedBy").asText());
        assertEquals(7, result.summary().printed());
    }

    @Test
    void aDropsOnlyRunPrintsTheDropsAndSummarizesFromTheKernelsCounts() throws IOException {
        ScriptedTracers factory = ScriptedTracers.scripted(
                clock::advance,
                i -> i % 3 == 2 ? List.of(SampleEvents.drop(i), SampleEvents.tcp(i)) : List.of(SampleEvents.tcp(i)));
        TraceRun drops = new TraceRun(
                TracerConfig.of(TraceFilter.all()).withStream(EventStream.of(EventStream.Events.DROPS, 0)),
                new OutputOptions(
                        OutputFormat.JSON,
                        TimestampMode.NONE,
                        false,
                        false,
                        false,
                        Optional.empty(),
                        OptionalLong.empty()),
                Optional.of(Duration.ofMillis(900)));
        RunResult result = runner(factory).run(drops, out);

        List<JsonNode> lines = jsonLines();
        JsonNode summary = lines.getLast().get("summary");
        List<JsonNode> events = lines.subList(0, lines.size() - 1);
        assertEquals(3, events.size(), "polls 2, 5 and 8 each delivered a drop: " + events);
        assertTrue(events.stream().allMatch(e -> e.has("dropReason")), "only drops printed");
        assertEquals("kernel", summary.get("countedBy").asText());
        assertEquals(13, summary.get("events").asLong(), "10 polls (9 and the drain) of which 3 held two hits");
        assertEquals(3, summary.get("printed").asLong());
        assertEquals(3, summary.get("drops").asLong());
        assertTrue(result.summary().kernelCounted());
    }

    @Test
    void stopsWhenTheDurationHasElapsedWithoutOverrunningIt() {
        ScriptedTracers factory = ScriptedTracers.scripted(clock::advance, eventsPerPoll(1));
        RunResult result = runner(factory)
                .run(request(OutputFormat.JSON, OptionalLong.empty(), Optional.of(Duration.ofMillis(250))), out);

        assertEquals(StopReason.DURATION, result.stoppedBy());
        assertEquals(
                List.of(Duration.ofMillis(100), Duration.ofMillis(100), Duration.ofMillis(50), Duration.ZERO),
                factory.current().timeouts(),
                "polls end at the deadline, then one non-blocking drain");
        assertEquals(Duration.ofMillis(250), result.summary().elapsed());
        assertEquals(4, result.summary().events(), "the drain's event is shown too");
        assertTrue(factory.current().closed());
    }

    @Test
    void aCallerCanStopTheRunFromTheObserver() {
        ScriptedTracers factory = ScriptedTracers.scripted(
                clock::advance, i -> i == 4 ? List.of(SampleEvents.drop(9)) : List.of(SampleEvents.tcp(i)));
        TraceRunner runner = runner(factory);
        List<PacketEvent> seen = new ArrayList<>();
        RunResult result = runner.run(request(OutputFormat.TABLE, OptionalLong.empty(), Optional.empty()), out, e -> {
            seen.add(e);
            if (e.isDrop()) {
                runner.requestStop();
            }
        });

        assertEquals(StopReason.REQUESTED, result.stoppedBy());
        assertEquals(6, factory.current().polls(), "5 polls, then the drain");
        assertEquals(6, seen.size());
        assertEquals(1, result.summary().drops());
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("TIME "), text);
        assertTrue(text.contains("reason=NETFILTER_DROP"), text);
        assertTrue(text.contains("Summary: events 6 (printed 6), lost 0, drops 1"), text);
    }

    @Test
    void reportsTheAttachOnTheStatusStreamAndKeepsStdoutPureJson() throws IOException {
        ScriptedTracers factory = ScriptedTracers.scripted(clock::advance, eventsPerPoll(2), 5);
        runner(factory).run(request(OutputFormat.JSON, OptionalLong.of(4), Optional.empty()), out);

        assertEquals(
                "Attached 3 probes with the tracepoint backend (raw tracepoints only on this kernel) in 12 ms\n",
                status.toString(StandardCharsets.UTF_8));
        List<JsonNode> lines = jsonLines();
        assertTrue(lines.stream().allMatch(JsonNode::isObject));
        assertEquals(5, lines.getLast().get("summary").get("lost").asLong(), "loss comes from the tracer's stats");
    }

    @Test
    void aSignalStopsTheLoopAndTheHookWaitsUntilProbesAreDetachedAndTheSummaryWritten() throws Exception {
        ScriptedTracers factory = ScriptedTracers.scripted(clock::advance, i -> List.of());
        TraceRunner runner = runner(factory);
        CompletableFuture<RunResult> run = CompletableFuture.supplyAsync(
                () -> runner.run(request(OutputFormat.JSON, OptionalLong.empty(), Optional.empty()), out));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (factory.started().isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertFalse(factory.started().isEmpty(), "the run started a session");
        assertTrue(factory.current().firstPoll().await(10, TimeUnit.SECONDS), "the run polled");

        SignalStop.hookFor(runner, Duration.ofSeconds(10)).run(); // what the JVM does on SIGINT/SIGTERM

        // Checked before touching the future: the hook alone must have waited for all of this.
        assertTrue(factory.current().closed(), "probes detached before the hook returned");
        assertEquals(
                "signal",
                jsonLines().getLast().get("summary").get("stoppedBy").asText(),
                "summary written before the hook returned");
        assertEquals(StopReason.SIGNAL, run.get(10, TimeUnit.SECONDS).stoppedBy());
    }

    @Test
    void theHookDoesNotWaitForARunThatNeverStarted() throws InterruptedException {
        TraceRunner runner = runner(ScriptedTracers.scripted(clock::advance, i -> List.of()));
        assertTrue(runner.awaitFinished(Duration.ZERO));
        SignalStop.hookFor(runner, Duration.ofDays(1)).run();
        assertEquals(Optional.of(StopReason.SIGNAL), runner.stopReason());
    }

    @Test
    void aFailingOutputStopsTheRunAndIsReported() {
        ScriptedTracers factory = ScriptedTracers.scripted(clock::advance, eventsPerPoll(100));
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new IOException("Broken pipe");
            }
        };
        TraceRunner runner = runner(factory);
        UncheckedIOException e = assertThrows(
                UncheckedIOException.class,
                () -> runner.run(request(OutputFormat.JSON, OptionalLong.empty(), Optional.empty()), broken));
        assertEquals("cannot write output: Broken pipe", e.getMessage());
        assertTrue(factory.current().closed());
        assertTrue(factory.current().polls() <= 100, "stopped soon after the failure, not at some limit");
    }

    @Test
    void aTracerThatCannotStartPropagatesItsErrorAndCountsAsFinished() throws InterruptedException {
        TraceRunner runner = runner((config, listener) -> {
            throw new TracerException(TracerException.Reason.PERMISSION, "need root");
        });
        TracerException e = assertThrows(
                TracerException.class,
                () -> runner.run(request(OutputFormat.JSON, OptionalLong.empty(), Optional.empty()), out));
        assertEquals("need root", e.getMessage());
        assertTrue(runner.awaitFinished(Duration.ZERO));
        assertEquals(0, out.size(), "nothing written when nothing ran");
    }

    @Test
    void aRunnerRunsOnce() {
        TraceRunner runner = runner(ScriptedTracers.scripted(clock::advance, eventsPerPoll(1)));
        TraceRun r = request(OutputFormat.JSON, OptionalLong.of(1), Optional.empty());
        runner.run(r, out);
        assertThrows(IllegalStateException.class, () -> runner.run(r, out));
    }

    @Test
    void theFirstStopReasonWins() {
        ScriptedTracers factory = ScriptedTracers.scripted(clock::advance, eventsPerPoll(1));
        TraceRunner runner = runner(factory);
        runner.requestStop(StopReason.SIGNAL);
        runner.requestStop(StopReason.REQUESTED);
        RunResult result = runner.run(request(OutputFormat.JSON, OptionalLong.empty(), Optional.empty()), out);
        assertEquals(StopReason.SIGNAL, result.stoppedBy());
        assertEquals(List.of(Duration.ZERO), factory.current().timeouts(), "only the drain ran");
        assertTrue(factory.current().closed());
    }
}
