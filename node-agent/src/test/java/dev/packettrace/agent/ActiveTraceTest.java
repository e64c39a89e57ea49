// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

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
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Report pacing and attribution of one trace, without threads or clocks: time is passed in. */
class ActiveTraceTest {

    static final long SECOND = Duration.ofSeconds(1).toNanos();

    static ActiveTrace trace(FilterSpec filter) {
        return trace(filter, new ByteArrayOutputStream());
    }

    static ActiveTrace trace(FilterSpec filter, java.io.OutputStream out) {
        PacketTrace t = PacketTrace.of("ns", "t", new PacketTraceSpec(new TargetSpec(null, List.of("web-0")), filter,
                new OutputSpec(true, false, false, 100L, 5, false), "5m", null, null));
        t.getMetadata().setUid("uid-1");
        TraceRequest request = ((SpecValidation.Valid) PacketTraceSpecValidator.validate(t.getSpec())).request();
        EventSink sink = EventSink.borrowed("test", out,
                new TimestampFormatter(TimestampMode.NONE, () -> new ClockOffset(0, "t", 0)));
        ActiveTrace a = new ActiveTrace(t, request, TraceFilters.of(request.filter()), "node-a", sink, 0, Optional.empty());
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
        assertTrue(unwritten > 0 && unwritten < 100, "the events after the failure are counted as not written: " + message);
    }
}
