// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packettrace.tracer.KernelCounts;
import dev.packettrace.tracer.TraceStats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JsonLinesWriterTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    private JsonLinesWriter writer(TimestampMode mode, boolean stack) {
        return new JsonLinesWriter(bytes, new TimestampFormatter(mode, () -> new ClockOffset(0, "test", 0)), stack);
    }

    private List<JsonNode> lines() throws IOException {
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.endsWith("\n"), "every line ends with a newline");
        List<JsonNode> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            assertFalse(line.startsWith(" "), "no root separator before a line: '" + line + "'");
            out.add(MAPPER.readTree(line));
        }
        return out;
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new java.util.LinkedHashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void writesEveryFieldOfAnEventWithItsValue() throws IOException {
        JsonLinesWriter w = writer(TimestampMode.ABSOLUTE, false);
        w.write(SampleEvents.tcp(123_456_789L));
        w.flush();

        JsonNode e = lines().getFirst();
        assertEquals(
                Set.of(
                        "time", "skb", "cpu", "pid", "comm", "netns", "ifindex", "ifname", "mark", "len", "proto",
                        "tuple", "probe"),
                fieldNames(e));
        assertEquals(123_456_789L, e.get("time").asLong());
        assertEquals("0xffff888012345678", e.get("skb").asText());
        assertEquals(1, e.get("cpu").asInt());
        assertEquals(4242, e.get("pid").asInt());
        assertEquals("curl", e.get("comm").asText());
        assertEquals(SampleEvents.NETNS, e.get("netns").asLong());
        assertEquals(7, e.get("ifindex").asInt());
        assertEquals("veth0", e.get("ifname").asText());
        assertEquals(0x2a, e.get("mark").asLong());
        assertEquals(60, e.get("len").asInt());
        assertEquals(0x0800, e.get("proto").asInt());
        assertEquals("net:netif_receive_skb", e.get("probe").asText());
        JsonNode t = e.get("tuple");
        assertEquals(Set.of("saddr", "daddr", "sport", "dport", "l4proto"), fieldNames(t));
        assertEquals("10.0.0.1", t.get("saddr").asText());
        assertEquals("10.0.0.2", t.get("daddr").asText());
        assertEquals(5555, t.get("sport").asInt());
        assertEquals(80, t.get("dport").asInt());
        assertEquals("tcp", t.get("l4proto").asText());
        assertTrue(e.get("skb").isTextual()
                && e.get("cpu").isInt()
                && e.get("netns").isNumber());
    }

    @Test
    void dropsCarryReasonLocationAndStackWhenAsked() throws IOException {
        JsonLinesWriter w = writer(TimestampMode.NONE, true);
        w.write(SampleEvents.drop(5));
        w.write(SampleEvents.tcp(6));
        w.flush();

        List<JsonNode> lines = lines();
        JsonNode drop = lines.get(0);
        assertFalse(drop.has("time"), "no time field with --timestamp none");
        assertEquals("NETFILTER_DROP", drop.get("dropReason").asText());
        assertEquals("nf_hook_slow+0x9a", drop.get("location").asText());
        assertEquals(
                List.of("kfree_skb_reason+0x1", "nf_hook_slow+0x9a"),
                MAPPER.convertValue(drop.get("stack"), List.class));
        JsonNode pass = lines.get(1);
        assertFalse(pass.has("dropReason"));
        assertFalse(pass.has("location"));
        assertTrue(pass.get("stack").isArray() && pass.get("stack").isEmpty(), "stack asked for: always an array");
    }

    @Test
    void leavesOutStackWhenNotAskedAndTupleWhenAbsent() throws IOException {
        JsonLinesWriter w = writer(TimestampMode.NONE, false);
        w.write(SampleEvents.drop(5));
        w.write(SampleEvents.noTuple(6, 1));
        w.flush();

        List<JsonNode> lines = lines();
        assertFalse(lines.get(0).has("stack"));
        assertFalse(lines.get(1).has("tuple"));
        assertEquals(0x0806, lines.get(1).get("proto").asInt());
    }

    @Test
    void writesIpv6InCanonicalFormAndEmptyStringsAsIs() throws IOException {
        JsonLinesWriter w = writer(TimestampMode.NONE, false);
        w.write(SampleEvents.udp6(1));
        w.flush();

        JsonNode e = lines().getFirst();
        assertEquals("fd00::1", e.get("tuple").get("saddr").asText());
        assertEquals("fd00:0:0:1::2", e.get("tuple").get("daddr").asText());
        assertEquals("udp", e.get("tuple").get("l4proto").asText());
        assertEquals("0xffff888000000100", e.get("skb").asText());
        assertEquals("", e.get("ifname").asText());
        assertEquals(0, e.get("ifindex").asInt());
    }

    @Test
    void summaryIsOneObjectLineUnderTheKeySummary() throws IOException {
        TraceSummary s = new TraceSummary(1, 8);
        s.record(SampleEvents.drop("NO_SOCKET", Optional.empty(), 10));
        s.record(SampleEvents.drop("NO_SOCKET", Optional.empty(), 10));
        s.record(SampleEvents.drop("NETFILTER_DROP", Optional.of("nf_hook_slow+0x9a"), 11));
        JsonLinesWriter w = writer(TimestampMode.NONE, false);
        w.write(SampleEvents.tcp(1));
        w.writeSummary(s.report(1, new TraceStats(3, 4), StopReason.DURATION, Duration.ofMillis(1500)));
        w.flush();

        List<JsonNode> lines = lines();
        assertEquals(2, lines.size());
        JsonNode root = lines.get(1);
        assertEquals(Set.of("summary"), fieldNames(root));
        JsonNode sum = root.get("summary");
        assertEquals(3, sum.get("events").asLong());
        assertEquals(1, sum.get("printed").asLong());
        assertEquals(4, sum.get("lost").asLong());
        assertEquals(3, sum.get("drops").asLong());
        assertEquals(1, sum.get("dropGroups").size());
        assertEquals("NO_SOCKET", sum.get("dropGroups").get(0).get("reason").asText());
        assertFalse(sum.get("dropGroups").get(0).has("location"));
        assertEquals(2, sum.get("dropGroups").get(0).get("count").asLong());
        assertEquals(1, sum.get("otherDrops").asLong());
        assertEquals(10, sum.get("netns").get(0).get("netns").asLong());
        assertEquals(2, sum.get("netns").get(0).get("events").asLong());
        assertEquals(0, sum.get("otherNetnsEvents").asLong());
        assertEquals("duration", sum.get("stoppedBy").asText());
        assertEquals(1500, sum.get("elapsedMs").asLong());
        assertEquals("skb:kfree_skb", sum.get("probes").get(0).get("probe").asText());
        assertEquals(3, sum.get("probes").get(0).get("events").asLong());
        assertEquals(0, sum.get("otherProbeEvents").asLong());
        assertEquals(0, sum.get("overBudget").asLong());
        assertEquals("events", sum.get("countedBy").asText());
    }

    @Test
    void aSummaryCountedInTheKernelSaysSo() throws IOException {
        KernelCounts counts = new KernelCounts(
                40,
                5,
                0,
                List.of(new KernelCounts.Drop(10, "NETFILTER_DROP", Optional.of("nf_hook_slow+0x9a"), 2)),
                List.of(new KernelCounts.Hits(10, "net:netif_rx", 38), new KernelCounts.Hits(10, "skb:kfree_skb", 2)));
        JsonLinesWriter w = writer(TimestampMode.NONE, false);
        w.writeSummary(new TraceSummary().report(counts, 0, new TraceStats(0, 0, 5), StopReason.SIGNAL, Duration.ZERO));
        w.flush();

        JsonNode sum = lines().getFirst().get("summary");
        assertEquals("kernel", sum.get("countedBy").asText());
        assertEquals(40, sum.get("events").asLong());
        assertEquals(0, sum.get("printed").asLong());
        assertEquals(5, sum.get("overBudget").asLong());
        assertEquals(2, sum.get("drops").asLong());
        assertEquals(
                "nf_hook_slow+0x9a",
                sum.get("dropGroups").get(0).get("location").asText());
        assertEquals(40, sum.get("netns").get(0).get("events").asLong());
        assertEquals("net:netif_rx", sum.get("probes").get(0).get("probe").asText());
    }

    @Test
    void tagsLeadTheLineAndTheStackIsChosenPerLine() throws IOException {
        JsonLinesWriter w = writer(TimestampMode.ABSOLUTE, false);
        EventTags tags = EventTags.builder()
                .add("trace", "team-a/web")
                .add("pod", "team-a/web-0")
                .add("node", "node-\"a\"")
                .build();
        w.write(SampleEvents.drop(5), tags, true);
        w.write(SampleEvents.drop(6), tags, false);
        w.write(SampleEvents.tcp(7));
        w.flush();

        List<JsonNode> lines = lines();
        assertEquals(
                List.of("trace", "pod", "node", "time", "skb"),
                fieldNames(lines.get(0)).stream().limit(5).toList(),
                "tags first, then the event's fields in their usual order");
        assertEquals("team-a/web", lines.get(0).get("trace").asText());
        assertEquals("team-a/web-0", lines.get(0).get("pod").asText());
        assertEquals("node-\"a\"", lines.get(0).get("node").asText(), "values are JSON-escaped");
        assertEquals(5, lines.get(0).get("time").asLong());
        assertEquals("NETFILTER_DROP", lines.get(0).get("dropReason").asText());
        assertEquals(2, lines.get(0).get("stack").size());
        assertFalse(lines.get(1).has("stack"), "this line's trace did not ask for stacks");
        assertFalse(lines.get(2).has("trace"), "an untagged line has the event's fields only");
    }

    @Test
    void tagsMayNotShadowEventFieldsOrRepeat() {
        IllegalArgumentException shadow = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> EventTags.builder().add("netns", "x"));
        assertTrue(shadow.getMessage().contains("'netns'"), shadow.getMessage());
        IllegalArgumentException twice = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class,
                () -> EventTags.builder().add("pod", "a").add("pod", "b"));
        assertTrue(twice.getMessage().contains("twice"), twice.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> EventTags.builder().add("Bad-Name", "x"));
    }
}
