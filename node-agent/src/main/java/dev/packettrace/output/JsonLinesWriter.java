// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.output;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.packettrace.tracer.PacketEvent;
import dev.packettrace.tracer.Tuple;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * One JSON object per line per event, written with Jackson's streaming generator (no reflection, no per-event
 * maps). Fields, in this order:
 * <pre>
 * (tags)     string fields of the {@link EventTags} given with the event, in their order; none from the CLI.
 *            The node agent writes trace ("namespace/name"), pod ("namespace/name") and node here.
 * time       per --timestamp: omitted (none), integer ns (relative, absolute), ISO-8601 string (current)
 * skb        string, "0x" and lower-case hex of the sk_buff address
 * cpu, pid   integers
 * comm       string
 * netns      integer, network namespace inode
 * ifindex    integer (0 when the skb had no device)
 * ifname     string ("" when unknown)
 * mark       integer (skb->mark, unsigned 32-bit)
 * len        integer (skb->len)
 * proto      integer, the ethertype (2048 = 0x0800 IPv4, 34525 = 0x86dd IPv6)
 * tuple      object {saddr, daddr (strings), sport, dport (integers), l4proto ("tcp", "udp", "icmp", "icmp6" or
 *            the protocol number as a string)}; OMITTED when the event has no parsed tuple
 * probe      string, e.g. "skb:kfree_skb", or a kernel function such as "ip_rcv"
 * caller     string symbol+0xoffset, function events with --output-caller only
 * dropReason string, only on drops
 * location   string symbol+0xoffset, only when the probe reports one
 * stack      array of strings, innermost frame first, only with --output-stack
 * </pre>
 * The summary is the last line: {"summary":{...}} (see {@link #writeSummary}).
 */
public final class JsonLinesWriter implements EventWriter {

    private static final JsonFactory FACTORY = JsonFactory.builder().build();
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private static final SerializableString TIME = new SerializedString("time");
    private static final SerializableString SKB = new SerializedString("skb");
    private static final SerializableString CPU = new SerializedString("cpu");
    private static final SerializableString PID = new SerializedString("pid");
    private static final SerializableString COMM = new SerializedString("comm");
    private static final SerializableString NETNS = new SerializedString("netns");
    private static final SerializableString IFINDEX = new SerializedString("ifindex");
    private static final SerializableString IFNAME = new SerializedString("ifname");
    private static final SerializableString MARK = new SerializedString("mark");
    private static final SerializableString LEN = new SerializedString("len");
    private static final SerializableString PROTO = new SerializedString("proto");
    private static final SerializableString TUPLE = new SerializedString("tuple");
    private static final SerializableString SADDR = new SerializedString("saddr");
    private static final SerializableString DADDR = new SerializedString("daddr");
    private static final SerializableString SPORT = new SerializedString("sport");
    private static final SerializableString DPORT = new SerializedString("dport");
    private static final SerializableString L4PROTO = new SerializedString("l4proto");
    private static final SerializableString PROBE = new SerializedString("probe");
    private static final SerializableString DROP_REASON = new SerializedString("dropReason");
    private static final SerializableString LOCATION = new SerializedString("location");
    private static final SerializableString CALLER = new SerializedString("caller");
    private static final SerializableString STACK = new SerializedString("stack");

    private final JsonGenerator g;
    private final TimestampFormatter timestamps;
    private final boolean stack;
    private final char[] skbText = new char[18];
    private final AddressText address = new AddressText();

    public JsonLinesWriter(OutputStream out, TimestampFormatter timestamps, boolean stack) {
        try {
            this.g = FACTORY.createGenerator(out, JsonEncoding.UTF8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a JSON generator", e);
        }
        // Lines are separated by our own '\n'; Jackson's default root separator would indent each line by a space.
        g.setRootValueSeparator(null);
        g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        this.timestamps = timestamps;
        this.stack = stack;
    }

    @Override
    public void begin() {}

    @Override
    public void write(PacketEvent e) throws IOException {
        write(e, EventTags.NONE, stack);
    }

    /**
     * Writes one event led by the given tags. {@code withStack} overrides the writer's stack setting for this
     * line: one stream may carry the events of several traces of which only some asked for stacks.
     */
    public void write(PacketEvent e, EventTags tags, boolean withStack) throws IOException {
        g.writeStartObject();
        for (int i = 0; i < tags.size(); i++) {
            g.writeFieldName(tags.name(i));
            g.writeString(tags.value(i));
        }
        timestamps.writeJsonField(g, TIME, e.timestampNs());
        g.writeFieldName(SKB);
        g.writeString(skbText, 0, hex(e.skb()));
        g.writeFieldName(CPU);
        g.writeNumber(e.cpu());
        g.writeFieldName(PID);
        g.writeNumber(e.pid());
        g.writeFieldName(COMM);
        g.writeString(e.comm());
        g.writeFieldName(NETNS);
        g.writeNumber(e.netns());
        g.writeFieldName(IFINDEX);
        g.writeNumber(e.ifindex());
        g.writeFieldName(IFNAME);
        g.writeString(e.ifname());
        g.writeFieldName(MARK);
        g.writeNumber(e.mark());
        g.writeFieldName(LEN);
        g.writeNumber(e.len());
        g.writeFieldName(PROTO);
        g.writeNumber(e.protocol());
        if (e.tuple().isPresent()) {
            writeTuple(e.tuple().get());
        }
        g.writeFieldName(PROBE);
        g.writeString(e.probe());
        if (e.caller().isPresent()) {
            g.writeFieldName(CALLER);
            g.writeString(e.caller().get());
        }
        if (e.dropReason().isPresent()) {
            g.writeFieldName(DROP_REASON);
            g.writeString(e.dropReason().get());
        }
        if (e.location().isPresent()) {
            g.writeFieldName(LOCATION);
            g.writeString(e.location().get());
        }
        if (withStack) {
            g.writeFieldName(STACK);
            g.writeStartArray();
            for (String frame : e.stack()) {
                g.writeString(frame);
            }
            g.writeEndArray();
        }
        g.writeEndObject();
        g.writeRaw('\n');
    }

    private void writeTuple(Tuple t) throws IOException {
        g.writeFieldName(TUPLE);
        g.writeStartObject();
        g.writeFieldName(SADDR);
        g.writeString(address.chars(), 0, address.format(t.saddr()));
        g.writeFieldName(DADDR);
        g.writeString(address.chars(), 0, address.format(t.daddr()));
        g.writeFieldName(SPORT);
        g.writeNumber(t.sport());
        g.writeFieldName(DPORT);
        g.writeNumber(t.dport());
        g.writeFieldName(L4PROTO);
        g.writeString(ProtoNames.of(t.l4proto()));
        g.writeEndObject();
    }

    /**
     * {"summary":{"events":N,"printed":N,"lost":N,"drops":N,"dropGroups":[{"reason":S,"location":S,"count":N}],
     * "otherDrops":N,"netns":[{"netns":N,"events":N}],"otherNetnsEvents":N,"probes":[{"probe":S,"events":N}],
     * "otherProbeEvents":N,"overBudget":N,"countedBy":S,"stoppedBy":S,"elapsedMs":N}}.
     * A group's location is omitted when the probe reported none; countedBy is "kernel" when the counts are the
     * kernel's (then events counts every matched hit, streamed or not), else "events"; stoppedBy is duration,
     * limit, signal or requested.
     */
    @Override
    public void writeSummary(TraceSummary.Report r) throws IOException {
        g.writeStartObject();
        g.writeObjectFieldStart("summary");
        g.writeNumberField("events", r.events());
        g.writeNumberField("printed", r.printed());
        g.writeNumberField("lost", r.lost());
        g.writeNumberField("drops", r.drops());
        g.writeArrayFieldStart("dropGroups");
        for (TraceSummary.DropGroup d : r.dropGroups()) {
            g.writeStartObject();
            g.writeStringField("reason", d.reason());
            if (d.location().isPresent()) {
                g.writeStringField("location", d.location().get());
            }
            g.writeNumberField("count", d.count());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeNumberField("otherDrops", r.otherDrops());
        g.writeArrayFieldStart("netns");
        for (TraceSummary.NetnsCount n : r.netns()) {
            g.writeStartObject();
            g.writeNumberField("netns", n.netns());
            g.writeNumberField("events", n.events());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeNumberField("otherNetnsEvents", r.otherNetnsEvents());
        g.writeArrayFieldStart("probes");
        for (TraceSummary.ProbeCount p : r.probes()) {
            g.writeStartObject();
            g.writeStringField("probe", p.probe());
            g.writeNumberField("events", p.events());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeNumberField("otherProbeEvents", r.otherProbeEvents());
        g.writeNumberField("overBudget", r.overBudget());
        g.writeStringField("countedBy", r.kernelCounted() ? "kernel" : "events");
        g.writeStringField("stoppedBy", r.stoppedBy().token());
        g.writeNumberField("elapsedMs", r.elapsed().toMillis());
        g.writeEndObject();
        g.writeEndObject();
        g.writeRaw('\n');
    }

    @Override
    public void flush() throws IOException {
        g.flush();
    }

    /** "0x" and the address in lower-case hex without leading zeros, into {@link #skbText}. */
    private int hex(long value) {
        int digits = Math.max(1, 16 - Long.numberOfLeadingZeros(value) / 4);
        skbText[0] = '0';
        skbText[1] = 'x';
        for (int i = digits + 1; i >= 2; i--) {
            skbText[i] = HEX[(int) (value & 0xf)];
            value >>>= 4;
        }
        return digits + 2;
    }
}
