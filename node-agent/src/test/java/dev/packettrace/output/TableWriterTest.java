// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.tracer.KernelCounts;
import dev.packettrace.tracer.TraceStats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class TableWriterTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    private TableWriter writer(TimestampMode mode, boolean tuple, boolean meta, boolean stack) {
        OutputOptions o = new OutputOptions(
                OutputFormat.TABLE, mode, tuple, meta, stack, Optional.<Path>empty(), OptionalLong.empty());
        return new TableWriter(bytes, new TimestampFormatter(mode, () -> new ClockOffset(0, "test", 0)), o);
    }

    private List<String> lines() {
        return List.of(bytes.toString(StandardCharsets.UTF_8).split("\n"));
    }

    private static List<String> words(String line) {
        return List.of(line.trim().split("\\s+"));
    }

    @Test
    void defaultColumnsAreSkbCpuProcessProbe() throws IOException {
        TableWriter w = writer(TimestampMode.NONE, false, false, false);
        w.begin();
        w.write(SampleEvents.tcp(1));
        w.flush();

        List<String> lines = lines();
        assertEquals(List.of("SKB", "CPU", "PROCESS", "PROBE"), words(lines.get(0)));
        assertEquals(
                List.of("0xffff888012345678", "1", "[4242]", "curl", "net:netif_receive_skb"), words(lines.get(1)));
        assertEquals(lines.get(0).indexOf("PROBE"), lines.get(1).indexOf("net:netif_receive_skb"), "columns align");
    }

    @Test
    void metaAndTupleAddTheirColumns() throws IOException {
        TableWriter w = writer(TimestampMode.ABSOLUTE, true, true, false);
        w.begin();
        w.write(SampleEvents.tcp(987654321L));
        w.write(SampleEvents.noTuple(987654322L, 99));
        w.flush();

        List<String> lines = lines();
        assertEquals(
                List.of("TIME", "SKB", "CPU", "PROCESS", "NETNS", "MARK", "IFACE", "PROTO", "LEN", "TUPLE", "PROBE"),
                words(lines.get(0)));
        assertEquals(
                List.of(
                        "987654321",
                        "0xffff888012345678",
                        "1",
                        "[4242]",
                        "curl",
                        "4026532177",
                        "0x2a",
                        "veth0:7",
                        "0x0800",
                        "60",
                        "10.0.0.1:5555->10.0.0.2:80(tcp)",
                        "net:netif_receive_skb"),
                words(lines.get(1)));
        assertEquals(
                List.of(
                        "987654322",
                        "0xffff888012345678",
                        "0",
                        "[1]",
                        "systemd",
                        "99",
                        "0x0",
                        "eth0:2",
                        "0x0806",
                        "42",
                        "-",
                        "net:net_dev_queue"),
                words(lines.get(2)));
        for (String column : List.of("NETNS", "MARK", "IFACE", "PROTO", "LEN", "TUPLE", "PROBE")) {
            int at = lines.get(0).indexOf(column);
            assertEquals(' ', lines.get(1).charAt(at - 1), column + " starts after a space in the row");
            assertTrue(lines.get(1).charAt(at) != ' ', column + " value starts under its header");
        }
    }

    @Test
    void dropsShowReasonLocationTupleAndStack() throws IOException {
        TableWriter w = writer(TimestampMode.NONE, false, false, true);
        w.write(SampleEvents.drop(1));
        w.write(SampleEvents.udp6(2));
        w.flush();

        List<String> lines = lines();
        assertTrue(
                lines.get(0)
                        .endsWith("skb:kfree_skb reason=NETFILTER_DROP location=nf_hook_slow+0x9a"
                                + " tuple=10.0.0.1:5555->10.0.0.2:80(tcp)"),
                lines.get(0));
        assertTrue(lines.get(0).contains("[0] swapper/0"));
        assertEquals("    kfree_skb_reason+0x1", lines.get(1));
        assertEquals("    nf_hook_slow+0x9a", lines.get(2));
        assertFalse(lines.get(3).contains("tuple="), "only drops get the tuple without --output-tuple");
        assertTrue(lines.get(3).contains("[0] <empty>"), lines.get(3));
        assertEquals(4, lines.size());
    }

    @Test
    void ipv6TuplesBracketTheAddress() throws IOException {
        TableWriter w = writer(TimestampMode.NONE, true, true, false);
        w.write(SampleEvents.udp6(1));
        w.flush();

        String line = lines().getFirst();
        assertTrue(line.contains(" [fd00::1]:53->[fd00:0:0:1::2]:40000(udp) "), line);
        assertTrue(line.contains(" 0x86dd "), line);
        assertTrue(line.contains(" - "), "no device shows as '-': " + line);
    }

    @Test
    void summaryListsCountsGroupsOverflowAndLoss() throws IOException {
        TraceSummary s = new TraceSummary(1, 1);
        s.record(SampleEvents.drop("NETFILTER_DROP", Optional.of("nf_hook_slow+0x9a"), 10));
        s.record(SampleEvents.drop("NETFILTER_DROP", Optional.of("nf_hook_slow+0x9a"), 10));
        s.record(SampleEvents.drop("NO_SOCKET", Optional.empty(), 11));
        TableWriter w = writer(TimestampMode.NONE, false, false, false);
        w.writeSummary(s.report(2, new TraceStats(3, 7), StopReason.LIMIT, Duration.ofMillis(2500)));
        w.flush();

        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(
                text.contains("Summary: events 3 (printed 2), lost 7, drops 3; stopped after 2.5 s: "
                        + StopReason.LIMIT.description()),
                text);
        assertTrue(text.contains("WARNING: 7 events were lost"), text);
        assertTrue(text.matches("(?s).*\\n\\s+2\\s+NETFILTER_DROP\\s+nf_hook_slow\\+0x9a\\n.*"), text);
        assertTrue(text.matches("(?s).*\\n\\s+1\\s+\\(other: groups beyond the first 1\\)\\n.*"), text);
        assertTrue(text.matches("(?s).*\\n\\s+2\\s+10\\n.*"), text);
        assertTrue(text.matches("(?s).*\\n\\s+1\\s+\\(other: namespaces beyond the first 1\\)\\n.*"), text);
    }

    @Test
    void summaryWithoutLossOrDropsSaysSoBriefly() throws IOException {
        TraceSummary s = new TraceSummary();
        TableWriter w = writer(TimestampMode.NONE, false, false, false);
        w.writeSummary(s.report(0, new TraceStats(0, 0), StopReason.SIGNAL, Duration.ZERO));
        w.flush();

        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("Summary: events 0 (printed 0), lost 0, drops 0"), text);
        assertFalse(text.contains("WARNING"));
        assertFalse(text.contains("Drops by reason"));
    }

    @Test
    void aSummaryCountedInTheKernelSaysSoAndListsTheBusiestProbes() throws IOException {
        List<KernelCounts.Hits> hits = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            hits.add(new KernelCounts.Hits(10, "probe" + i, 100 + i));
        }
        KernelCounts counts = new KernelCounts(
                hits.stream().mapToLong(KernelCounts.Hits::count).sum(), 9, 0, List.of(), hits);
        TableWriter w = writer(TimestampMode.NONE, false, false, false);
        w.writeSummary(
                new TraceSummary().report(counts, 4, new TraceStats(4, 0, 9), StopReason.DURATION, Duration.ZERO));
        w.flush();

        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(
                text.contains("Counted in the kernel: " + counts.matched() + " matched hits, of which 4 were printed"),
                text);
        assertTrue(text.contains("NOTE: 9 matched hits were counted but not streamed"), text);
        assertTrue(text.contains("Events by probe (the busiest 10 of 12):"), text);
        assertTrue(text.matches("(?s).*\\n\\s+111\\s+probe11\\n.*"), "the busiest first: " + text);
        assertFalse(text.contains("probe1\n"), "the two least busy are left out: " + text);
    }
}
