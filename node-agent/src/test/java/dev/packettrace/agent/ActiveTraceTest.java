// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.api.v1alpha1.AgentState;
import dev.packettrace.api.v1alpha1.FilterSpec;
import dev.packettrace.api.v1alpha1.OutputSpec;
import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.api.v1alpha1.PacketTraceSpec;
import dev.packettrace.api.v1alpha1.TargetSpec;
import dev.packettrace.api.v1alpha1.TargetState;
import dev.packettrace.api.validation.PacketTraceSpecValidator;
import dev.packettrace.api.validation.SpecValidation;
import dev.packettrace.api.validation.TraceRequest;
import dev.packettrace.output.ClockOffset;
import dev.packettrace.output.TimestampFormatter;
import dev.packettrace.output.TimestampMode;
import dev.packettrace.tracer.EventStream;
import dev.packettrace.tracer.KernelCounts;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Report pacing and attribution of one trace, without threads or clocks: time is passed in. */
class ActiveTraceTest {

    static final long SECOND = Duration.ofSeconds(1).toNanos();

    static ActiveTrace trace(FilterSpec filter) {
        return trace(filter, new ByteArrayOutputStream());
    }

    static ActiveTrace trace(FilterSpec filter, java.io.OutputStream out) {
        return trace(filter, out, null);
    }

    static ActiveTrace trace(FilterSpec filter, java.io.OutputStream out, String events) {
        PacketTrace t = PacketTrace.of(
                "ns",
                "t",
                new PacketTraceSpec(
                        new TargetSpec(null, List.of("web-0")),
                        filter,
                        new OutputSpec(true, false, false, 100L, 5, false, events),
                        "5m",
                        null,
                        null));
        t.getMetadata().setUid("uid-1");
        TraceRequest request = ((SpecValidation.Valid) PacketTraceSpecValidator.validate(t.getSpec())).request();
        EventSink sink = EventSink.borrowed(
                "test", out, new TimestampFormatter(TimestampMode.NONE, () -> new ClockOffset(0, "t", 0)));
        ActiveTrace a =
                new ActiveTrace(t, request, TraceFilters.of(request.filter()), "node-a", sink, 0, Optional.empty());
        a.targets(Map.of("web-0", ResolvedTarget.of("web-0", "u", Set.of(10L), TargetState.Tracing, null)));
        return a;
    }

    @Test
    void stateChangesAreReportedAtOnceAndCountsAtMostOncePerInterval() {
        ActiveTrace a = trace(null);
        long t0 = 100 * SECOND;
        assertTrue(a.reportDue(t0, 2 * SECOND), "the first report goes out at once");
        a.reported(t0);
        assertFalse(a.reportDue(t0, 2 * SECOND), "nothing new");

        a.offer(Packets.tcp(1, 10, 80));
        assertFalse(a.reportDue(t0 + SECOND, 2 * SECOND), "new counts wait for the interval");
        assertTrue(a.reportDue(t0 + 2 * SECOND, 2 * SECOND));
        a.reported(t0 + 2 * SECOND);

        a.state(AgentState.Tracing, Optional.empty());
        assertTrue(a.reportDue(t0 + 2 * SECOND + 1, 2 * SECOND), "a state change does not wait");
        a.reported(t0 + 2 * SECOND + 1);
        assertFalse(a.reportDue(t0 + 10 * SECOND, 2 * SECOND), "no change, no report, however long it has been");
    }

    @Test
    void eventsOutsideTheTargetsOrTheFilterAreNotTheTraces() {
        ActiveTrace a = trace(new FilterSpec(null, null, null, 80, "tcp", null, null, false));
        a.offer(Packets.tcp(1, 10, 80));
        a.offer(Packets.tcp(2, 10, 443));
        a.offer(Packets.tcp(3, 11, 80));
        assertEquals(1, a.events());
        a.targets(Map.of("web-0", ResolvedTarget.of("web-0", "u", Set.of(), TargetState.Scheduled, "waiting")));
        a.offer(Packets.tcp(4, 10, 80));
        assertEquals(1, a.events(), "a trace without a resolved namespace matches nothing (not everything)");
        var report = a.report(Optional.empty(), 7, Instant.EPOCH, ns -> "t");
        assertEquals(7, report.lost(), "the node's loss is every trace's loss");
        assertEquals(TargetState.Scheduled, report.targets().getFirst().state());
    }

    @Test
    void aDropsOnlyTraceCountsEveryPacketButWritesAndKeepsOnlyTheDrops() throws java.io.IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ActiveTrace a = trace(null, out, "drops");
        a.offer(Packets.tcp(1, 10, 80));
        a.offer(Packets.drop(2, 10, 81));
        a.offer(Packets.tcp(3, 10, 82));
        a.sink().flush();

        var report = a.report(Optional.empty(), 0, Instant.EPOCH, ns -> "t");
        assertEquals(3, report.events(), "every packet is counted");
        assertEquals(1, report.drops());
        assertEquals(1, report.recentEvents().size(), "only the drop is kept: " + report.recentEvents());
        List<String> lines =
                out.toString(java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        assertEquals(1, lines.size(), "only the drop is written: " + lines);
        assertTrue(lines.getFirst().contains("\"dropReason\""), lines.getFirst());
    }

    @Test
    void aTraceWithoutEventsKeepsOnlyCounts() throws java.io.IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ActiveTrace a = trace(null, out, "none");
        a.offer(Packets.tcp(1, 10, 80));
        a.offer(Packets.drop(2, 10, 81));
        a.sink().flush();
        var report = a.report(Optional.empty(), 0, Instant.EPOCH, ns -> "t");
        assertEquals(2, report.events());
        assertTrue(report.recentEvents().isEmpty());
        assertEquals("", out.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void whileTheKernelCountsTheTraceTakesItsNamespacesShareAndEventsOnlyFeedTheSink() throws java.io.IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ActiveTrace a = trace(null, out, "drops");
        assertEquals(Optional.of(EventStream.Events.DROPS), a.kernelCountable(), "selected by its pods alone");
        a.kernelCounted(true);
        a.counted(new KernelCounts(
                60,
                0,
                0,
                List.of(
                        new KernelCounts.Drop(10, "NETFILTER_DROP", Optional.of("nf_hook_slow+0x9a"), 2),
                        new KernelCounts.Drop(11, "NO_SOCKET", Optional.empty(), 5)),
                List.of(
                        new KernelCounts.Hits(10, "net:netif_rx", 20),
                        new KernelCounts.Hits(10, "skb:kfree_skb", 2),
                        new KernelCounts.Hits(11, "net:netif_rx", 38))));
        a.offer(Packets.drop(2, 10, 81)); // a streamed drop the counts above already hold
        a.sink().flush();

        var report = a.report(Optional.empty(), 0, Instant.EPOCH, ns -> "t");
        assertEquals(22, report.events(), "namespace 10's hits, not namespace 11's");
        assertEquals(2, report.drops());
        assertEquals("NETFILTER_DROP", report.dropsByReason().getFirst().reason());
        assertEquals(1, report.recentEvents().size(), "the streamed drop is among the recent events");
        assertEquals(
                1, out.toString(java.nio.charset.StandardCharsets.UTF_8).lines().count(), "and in the sink");
    }

    @Test
    void aTraceWithOtherFiltersIsNotCountedByTheKernel() {
        assertEquals(
                Optional.empty(),
                trace(
                                new FilterSpec(null, null, null, 80, "tcp", null, null, false),
                                new ByteArrayOutputStream(),
                                "none")
                        .kernelCountable(),
                "its port filter runs in Java, which must see every event");
        ActiveTrace counted = trace(null, new ByteArrayOutputStream(), "none");
        counted.counted(new KernelCounts(5, 0, 0, List.of(), List.of(new KernelCounts.Hits(10, "net:netif_rx", 5))));
        assertEquals(0, counted.events(), "counts are taken only while the node's tracer counts for the trace");
    }

    @Test
    void aSinkThatFailsIsReportedWithTheEventsItLost() {
        java.io.OutputStream full = new java.io.OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                throw new java.io.IOException("No space left on device");
            }
        };
        ActiveTrace a = trace(null, full);
        for (int i = 0; i < 100; i++) { // the trace's budget; about 25 kB of lines, more than the writer buffers
            a.offer(Packets.tcp(i, 10, 80));
        }
        assertEquals(100, a.events(), "events are still counted");
        String message = a.message().orElseThrow();
        assertTrue(message.contains("writing to test failed: No space left on device; at least "), message);
        long unwritten = Long.parseLong(message.replaceAll(".*; at least (\\d+) event\\(s\\) not written$", "$1"));
        assertTrue(
                unwritten > 0 && unwritten < 100,
                "the events after the failure are counted as not written: " + message);
    }
}
