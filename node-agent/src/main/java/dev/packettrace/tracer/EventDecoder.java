// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Decodes {@code struct pt_event} (bpf/include/event.h) into a {@link PacketEvent}: names the probe,
 * the drop reason and the kernel addresses.
 */
public final class EventDecoder {

    /** PT_EVENT_BASE_SIZE: the record without its optional stack. */
    public static final int BASE_SIZE = 144;

    public static final int MAX_STACK_DEPTH = 32;

    // Field offsets in struct pt_event; EventLayoutTest checks them against the object's BTF.
    static final int OFF_TS_NS = 0;
    static final int OFF_SKB = 8;
    static final int OFF_LOCATION = 16;
    static final int OFF_PROBE_ADDR = 24;
    static final int OFF_PROBE_ID = 32;
    static final int OFF_DROP_REASON = 36;
    static final int OFF_NETNS = 40;
    static final int OFF_MARK = 44;
    static final int OFF_IFINDEX = 48;
    static final int OFF_LEN = 52;
    static final int OFF_PID = 56;
    static final int OFF_CPU = 60;
    static final int OFF_PROTOCOL = 64;
    static final int OFF_L4PROTO = 66;
    static final int OFF_FLAGS = 67;
    static final int OFF_SPORT = 68;
    static final int OFF_DPORT = 70;
    static final int OFF_SADDR = 72;
    static final int OFF_DADDR = 88;
    static final int OFF_COMM = 104;
    static final int OFF_IFNAME = 120;
    static final int OFF_PROBE_KIND = 136;
    static final int OFF_PCAP_MATCH = 137;
    static final int OFF_STACK_BYTES = 140;
    /** C field name by offset constant, for the layout test. */
    static final java.util.Map<String, Integer> FIELD_OFFSETS = java.util.Map.ofEntries(
            java.util.Map.entry("ts_ns", OFF_TS_NS),
            java.util.Map.entry("skb", OFF_SKB),
            java.util.Map.entry("location", OFF_LOCATION),
            java.util.Map.entry("probe_addr", OFF_PROBE_ADDR),
            java.util.Map.entry("probe_id", OFF_PROBE_ID),
            java.util.Map.entry("drop_reason", OFF_DROP_REASON),
            java.util.Map.entry("netns", OFF_NETNS),
            java.util.Map.entry("mark", OFF_MARK),
            java.util.Map.entry("ifindex", OFF_IFINDEX),
            java.util.Map.entry("len", OFF_LEN),
            java.util.Map.entry("pid", OFF_PID),
            java.util.Map.entry("cpu", OFF_CPU),
            java.util.Map.entry("protocol", OFF_PROTOCOL),
            java.util.Map.entry("l4proto", OFF_L4PROTO),
            java.util.Map.entry("flags", OFF_FLAGS),
            java.util.Map.entry("sport", OFF_SPORT),
            java.util.Map.entry("dport", OFF_DPORT),
            java.util.Map.entry("saddr", OFF_SADDR),
            java.util.Map.entry("daddr", OFF_DADDR),
            java.util.Map.entry("comm", OFF_COMM),
            java.util.Map.entry("ifname", OFF_IFNAME),
            java.util.Map.entry("probe_kind", OFF_PROBE_KIND),
            java.util.Map.entry("pcap_match", OFF_PCAP_MATCH),
            java.util.Map.entry("stack_bytes", OFF_STACK_BYTES));

    static final int F_HAS_REASON = 1;
    static final int F_HAS_TUPLE = 1 << 1;
    static final int F_IPV6 = 1 << 2;
    static final int F_TRACKED = 1 << 3;
    static final int F_HAS_LOCATION = 1 << 5;
    static final int F_HAS_CALLER = 1 << 6;
    static final int KIND_TRACEPOINT = 1;
    static final int KIND_FUNCTION = 2;

    private final TracepointProbe[] probesById = new TracepointProbe[TracepointCatalog.MAX_PROBES];
    private final DropReasons dropReasons;
    private final AddressSymbolizer symbols;
    private final List<String> functions;
    private final ExpressionSlots expressions;

    /** For tracepoints only. */
    public EventDecoder(List<TracepointProbe> probes, DropReasons dropReasons, AddressSymbolizer symbols) {
        this(probes, dropReasons, symbols, List.of());
    }

    /**
     * @param functions the probed kernel functions by catalog index ({@link FunctionCookie}): function events
     *                  are named from it, or from their address where the kernel could not pass the index
     */
    public EventDecoder(
            List<TracepointProbe> probes, DropReasons dropReasons, AddressSymbolizer symbols, List<String> functions) {
        this(probes, dropReasons, symbols, functions, ExpressionSlots.none());
    }

    /** @param expressions what the kernel evaluates: names the slots of pt_event.pcap_match */
    public EventDecoder(
            List<TracepointProbe> probes,
            DropReasons dropReasons,
            AddressSymbolizer symbols,
            List<String> functions,
            ExpressionSlots expressions) {
        this.expressions = expressions;
        probes.forEach(p -> probesById[p.id()] = p);
        this.dropReasons = dropReasons;
        this.symbols = symbols;
        this.functions = List.copyOf(functions);
    }

    /** Decodes one ring buffer record (little endian, position 0). */
    public PacketEvent decode(ByteBuffer r) {
        if (r.remaining() < BASE_SIZE) {
            throw new IllegalArgumentException(
                    "event record of " + r.remaining() + " bytes is shorter than " + BASE_SIZE);
        }
        long ts = r.getLong(OFF_TS_NS);
        long skb = r.getLong(OFF_SKB);
        long location = r.getLong(OFF_LOCATION);
        long probeAddr = r.getLong(OFF_PROBE_ADDR);
        int probeId = r.getInt(OFF_PROBE_ID);
        long reason = Integer.toUnsignedLong(r.getInt(OFF_DROP_REASON));
        long netns = Integer.toUnsignedLong(r.getInt(OFF_NETNS));
        long mark = Integer.toUnsignedLong(r.getInt(OFF_MARK));
        int ifindex = r.getInt(OFF_IFINDEX);
        int len = r.getInt(OFF_LEN);
        int pid = r.getInt(OFF_PID);
        int cpu = r.getInt(OFF_CPU);
        int protocol = Short.toUnsignedInt(r.getShort(OFF_PROTOCOL));
        int l4proto = Byte.toUnsignedInt(r.get(OFF_L4PROTO));
        int flags = Byte.toUnsignedInt(r.get(OFF_FLAGS));
        int sport = Short.toUnsignedInt(r.getShort(OFF_SPORT));
        int dport = Short.toUnsignedInt(r.getShort(OFF_DPORT));
        String comm = cString(r, OFF_COMM, 16);
        String ifname = cString(r, OFF_IFNAME, 16);
        int kind = Byte.toUnsignedInt(r.get(OFF_PROBE_KIND));
        int stackBytes = r.getInt(OFF_STACK_BYTES);
        int pcapMatch = Byte.toUnsignedInt(r.get(OFF_PCAP_MATCH));

        Optional<Tuple> tuple = Optional.empty();
        if ((flags & F_HAS_TUPLE) != 0) {
            boolean v6 = (flags & F_IPV6) != 0;
            tuple = Optional.of(new Tuple(address(r, OFF_SADDR, v6), address(r, OFF_DADDR, v6), sport, dport, l4proto));
        }

        PacketEvent.ProbeKind probeKind = switch (kind) {
            case KIND_FUNCTION -> PacketEvent.ProbeKind.FUNCTION;
            case KIND_TRACEPOINT -> PacketEvent.ProbeKind.TRACEPOINT;
            default -> throw new IllegalArgumentException("event has unknown probe kind " + kind);
        };
        String probe = probeName(kind, probeId, probeAddr);
        boolean drop = probeKind == PacketEvent.ProbeKind.TRACEPOINT && probesById[probeId].reportsDrops();

        Optional<String> dropReason = Optional.empty();
        if (drop) {
            dropReason = Optional.of(
                    dropReasonName((flags & F_HAS_REASON) != 0 ? OptionalLong.of(reason) : OptionalLong.empty()));
        }
        Optional<String> where = (flags & F_HAS_LOCATION) != 0 ? locationName(location) : Optional.empty();
        Optional<String> caller = (flags & F_HAS_CALLER) != 0 ? locationName(location) : Optional.empty();

        List<String> stack = List.of();
        int frames = Math.min(Math.max(stackBytes, 0) / 8, MAX_STACK_DEPTH);
        if (frames > 0 && r.remaining() >= BASE_SIZE + frames * 8) {
            List<String> list = new ArrayList<>(frames);
            for (int i = 0; i < frames; i++) {
                long ip = r.getLong(BASE_SIZE + i * 8);
                if (ip != 0) {
                    list.add(symbols.symbolize(ip).orElse(hex(ip)));
                }
            }
            stack = list;
        }
        return new PacketEvent(
                ts,
                skb,
                cpu,
                pid,
                comm,
                netns,
                ifindex,
                ifname,
                mark,
                len,
                protocol,
                tuple,
                probe,
                probeKind,
                dropReason,
                where,
                stack,
                (flags & F_TRACKED) != 0,
                caller,
                expressions.matched(pcapMatch));
    }

    /**
     * The probe's name from an event's (or a kernel count's) probe_kind and probe_id: the tracepoint
     * ("skb:kfree_skb") or the function ("ip_rcv"; from its address when the probe had no cookie).
     *
     * @throws IllegalArgumentException for a kind or tracepoint id this tracer never attached
     */
    public String probeName(int kind, int probeId, long probeAddr) {
        if (kind == KIND_FUNCTION) {
            int index = FunctionCookie.indexOf(Integer.toUnsignedLong(probeId));
            if (index >= 0 && index < functions.size()) {
                return functions.get(index);
            }
            return probeAddr == 0
                    ? "(unnamed function)"
                    : symbols.symbolize(probeAddr)
                            .map(EventDecoder::functionName)
                            .orElse(hex(probeAddr));
        }
        if (kind != KIND_TRACEPOINT) {
            throw new IllegalArgumentException("event has unknown probe kind " + kind);
        }
        TracepointProbe p = probeId >= 0 && probeId < probesById.length ? probesById[probeId] : null;
        if (p == null) {
            throw new IllegalArgumentException(
                    "event names tracepoint probe id " + probeId + ", which is not attached");
        }
        return p.displayName();
    }

    /**
     * A drop's reason by its enum skb_drop_reason value, without the SKB_DROP_REASON_ prefix; NOT_SPECIFIED when
     * the kernel gave none (kfree_skb before 5.17).
     */
    public String dropReasonName(OptionalLong reason) {
        return reason.isPresent() ? dropReasons.name(reason.getAsLong()) : "NOT_SPECIFIED";
    }

    /** A kernel text address as symbol+0xoffset (hex when unknown); empty for 0. */
    public Optional<String> locationName(long address) {
        return address == 0
                ? Optional.empty()
                : Optional.of(symbols.symbolize(address).orElse(hex(address)));
    }

    /**
     * A function probe fires at the function's entry; what the kernel reports as its address can sit a few
     * bytes in (past an endbr64 with IBT, or at the ftrace call site), so the offset is dropped.
     */
    private static String functionName(String symbol) {
        int plus = symbol.lastIndexOf("+0x");
        return plus > 0 ? symbol.substring(0, plus) : symbol;
    }

    static String hex(long address) {
        return "0x" + Long.toHexString(address);
    }

    private static InetAddress address(ByteBuffer r, int offset, boolean v6) {
        byte[] bytes = new byte[v6 ? 16 : 4];
        r.get(offset, bytes);
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("address of " + bytes.length + " bytes", e);
        }
    }

    private static String cString(ByteBuffer r, int offset, int max) {
        int n = 0;
        while (n < max && r.get(offset + n) != 0) {
            n++;
        }
        byte[] bytes = new byte[n];
        r.get(offset, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
