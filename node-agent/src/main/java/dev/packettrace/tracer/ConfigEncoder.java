// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Encodes a filter and the discovered tracepoint argument positions as {@code struct pt_config}
 * (bpf/include/config.h), the bytes the BPF programs read from .rodata.
 */
public final class ConfigEncoder {

    // Field offsets in struct pt_config; EventLayoutTest checks them against the object's BTF.
    static final int OFF_FILTER_NETNS = 0;
    static final int OFF_FILTER_MARK = 1;
    static final int OFF_FILTER_IFNAME = 2;
    static final int OFF_TRACK_SKB = 3;
    static final int OFF_L4PROTO = 4;
    static final int OFF_CAPTURE_STACK = 5;
    static final int OFF_SPORT = 6;
    static final int OFF_DPORT = 8;
    static final int OFF_OUTPUT_CALLER = 10;
    static final int OFF_MARK = 12;
    static final int OFF_IFNAME = 16;
    static final int OFF_SRC = 32;
    static final int OFF_DST = 52;
    static final int OFF_SKB_ARG = 72;
    static final int OFF_SK_ARG = OFF_SKB_ARG + TracepointCatalog.MAX_PROBES;
    static final int OFF_LOCATION_ARG = OFF_SK_ARG + TracepointCatalog.MAX_PROBES;
    static final int OFF_REASON_ARG = OFF_LOCATION_ARG + TracepointCatalog.MAX_PROBES;
    static final int OFF_PCAP_SLOTS = OFF_REASON_ARG + TracepointCatalog.MAX_PROBES;
    static final int OFF_PCAP_REQUIRE = OFF_PCAP_SLOTS + 1;
    static final int OFF_EVENTS = OFF_PCAP_REQUIRE + 1;
    static final int OFF_KERNEL_COUNTS = OFF_EVENTS + 1;
    static final int OFF_EVENT_BUDGET = OFF_KERNEL_COUNTS + 1;
    /** Within struct pt_addr_filter. */
    static final int ADDR_FAMILY = 16;

    static final int ADDR_PREFIXLEN = 17;

    static final Map<String, Integer> FIELD_OFFSETS = Map.ofEntries(
            Map.entry("filter_netns", OFF_FILTER_NETNS),
            Map.entry("filter_mark", OFF_FILTER_MARK),
            Map.entry("filter_ifname", OFF_FILTER_IFNAME),
            Map.entry("track_skb", OFF_TRACK_SKB),
            Map.entry("l4proto", OFF_L4PROTO),
            Map.entry("capture_stack", OFF_CAPTURE_STACK),
            Map.entry("sport", OFF_SPORT),
            Map.entry("dport", OFF_DPORT),
            Map.entry("output_caller", OFF_OUTPUT_CALLER),
            Map.entry("mark", OFF_MARK),
            Map.entry("ifname", OFF_IFNAME),
            Map.entry("src", OFF_SRC),
            Map.entry("dst", OFF_DST),
            Map.entry("skb_arg", OFF_SKB_ARG),
            Map.entry("sk_arg", OFF_SK_ARG),
            Map.entry("location_arg", OFF_LOCATION_ARG),
            Map.entry("reason_arg", OFF_REASON_ARG),
            Map.entry("pcap_slots", OFF_PCAP_SLOTS),
            Map.entry("pcap_require", OFF_PCAP_REQUIRE),
            Map.entry("events", OFF_EVENTS),
            Map.entry("kernel_counts", OFF_KERNEL_COUNTS),
            Map.entry("event_budget", OFF_EVENT_BUDGET));

    /** sizeof(struct pt_config). */
    public static final int SIZE = OFF_EVENT_BUDGET + 4;

    private static final byte NO_ARG = (byte) 0xff;

    private ConfigEncoder() {}

    public static byte[] encode(TraceFilter filter, boolean captureStack, List<TracepointProbe> probes) {
        return encode(filter, captureStack, false, probes);
    }

    /**
     * @param outputCaller function probes report their caller (the tracepoints ignore it)
     */
    public static byte[] encode(
            TraceFilter filter, boolean captureStack, boolean outputCaller, List<TracepointProbe> probes) {
        return encode(filter, captureStack, outputCaller, ExpressionSlots.of(filter), probes);
    }

    /**
     * @param expressions the pcap-filter expressions in pt_pcap_progs (written there by {@link PcapPrograms})
     */
    public static byte[] encode(
            TraceFilter filter,
            boolean captureStack,
            boolean outputCaller,
            ExpressionSlots expressions,
            List<TracepointProbe> probes) {
        return encode(filter, captureStack, outputCaller, expressions, EventStream.ALL, probes);
    }

    /**
     * @param stream which matched hits the kernel streams, and whether it counts them (bpf/include/counts.h)
     */
    public static byte[] encode(
            TraceFilter filter,
            boolean captureStack,
            boolean outputCaller,
            ExpressionSlots expressions,
            EventStream stream,
            List<TracepointProbe> probes) {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(OFF_FILTER_NETNS, flag(!filter.netnsInodes().isEmpty()));
        b.put(OFF_FILTER_MARK, flag(filter.mark().isPresent()));
        b.put(OFF_FILTER_IFNAME, flag(filter.ifname().isPresent()));
        b.put(OFF_TRACK_SKB, flag(filter.trackSkb()));
        b.put(OFF_L4PROTO, (byte) filter.proto().map(L4Proto::number).orElse(0).intValue());
        b.put(OFF_CAPTURE_STACK, flag(captureStack));
        b.put(OFF_OUTPUT_CALLER, flag(outputCaller));
        b.putShort(OFF_SPORT, (short) filter.srcPort().orElse(0));
        b.putShort(OFF_DPORT, (short) filter.dstPort().orElse(0));
        b.putInt(OFF_MARK, (int) filter.mark().orElse(0));
        filter.ifname().ifPresent(name -> b.put(OFF_IFNAME, name.getBytes(StandardCharsets.US_ASCII)));
        filter.srcIp().ifPresent(p -> putPrefix(b, OFF_SRC, p));
        filter.dstIp().ifPresent(p -> putPrefix(b, OFF_DST, p));
        for (int i = OFF_SKB_ARG; i < OFF_PCAP_SLOTS; i++) {
            b.put(i, NO_ARG);
        }
        for (TracepointProbe p : probes) {
            putArg(b, OFF_SKB_ARG, p.id(), p.skbArg());
            putArg(b, OFF_SK_ARG, p.id(), p.sockArg());
            putArg(b, OFF_LOCATION_ARG, p.id(), p.locationArg());
            putArg(b, OFF_REASON_ARG, p.id(), p.reasonArg());
        }
        b.put(OFF_PCAP_SLOTS, (byte) expressions.filters().size());
        b.put(OFF_PCAP_REQUIRE, (byte) expressions.requireMask());
        // PT_EVENTS_ALL, _DROPS, _NONE in counts.h: the enum's order
        b.put(OFF_EVENTS, (byte) stream.events().ordinal());
        b.put(OFF_KERNEL_COUNTS, flag(stream.kernelCounts()));
        b.putInt(OFF_EVENT_BUDGET, (int) stream.perSecond());
        return b.array();
    }

    private static byte flag(boolean on) {
        return (byte) (on ? 1 : 0);
    }

    private static void putPrefix(ByteBuffer b, int offset, IpPrefix prefix) {
        b.put(offset, prefix.network().getAddress());
        b.put(offset + ADDR_FAMILY, (byte) (prefix.isIpv6() ? 6 : 4));
        b.put(offset + ADDR_PREFIXLEN, (byte) prefix.prefixLength());
    }

    private static void putArg(ByteBuffer b, int table, int probeId, OptionalInt arg) {
        if (arg.isPresent()) {
            b.put(table + probeId, (byte) arg.getAsInt());
        }
    }
}
