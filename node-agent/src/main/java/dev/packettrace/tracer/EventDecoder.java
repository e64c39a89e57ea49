package dev.packettrace.tracer;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decodes {@code struct pt_event} (bpf/include/event.h) into a {@link PacketEvent}: names the probe,
 * the drop reason and the kernel addresses.
 */
public final class EventDecoder {

    /** PT_EVENT_BASE_SIZE: the record without its optional stack. */
    public static final int BASE_SIZE = 144;
    public static final int MAX_STACK_DEPTH = 32;

    static final int F_HAS_REASON = 1;
    static final int F_HAS_TUPLE = 1 << 1;
    static final int F_IPV6 = 1 << 2;
    static final int F_TRACKED = 1 << 3;
    static final int F_HAS_LOCATION = 1 << 5;
    static final int KIND_TRACEPOINT = 1;
    static final int KIND_FUNCTION = 2;

    private final TracepointProbe[] probesById = new TracepointProbe[TracepointCatalog.MAX_PROBES];
    private final DropReasons dropReasons;
    private final AddressSymbolizer symbols;

    public EventDecoder(List<TracepointProbe> probes, DropReasons dropReasons, AddressSymbolizer symbols) {
        probes.forEach(p -> probesById[p.id()] = p);
        this.dropReasons = dropReasons;
        this.symbols = symbols;
    }

    /** Decodes one ring buffer record (little endian, position 0). */
    public PacketEvent decode(ByteBuffer r) {
        if (r.remaining() < BASE_SIZE) {
            throw new IllegalArgumentException("event record of " + r.remaining() + " bytes is shorter than " + BASE_SIZE);
        }
        long ts = r.getLong(0);
        long skb = r.getLong(8);
        long location = r.getLong(16);
        long probeAddr = r.getLong(24);
        int probeId = r.getInt(32);
        long reason = Integer.toUnsignedLong(r.getInt(36));
        long netns = Integer.toUnsignedLong(r.getInt(40));
        long mark = Integer.toUnsignedLong(r.getInt(44));
        int ifindex = r.getInt(48);
        int len = r.getInt(52);
        int pid = r.getInt(56);
        int cpu = r.getInt(60);
        int protocol = Short.toUnsignedInt(r.getShort(64));
        int l4proto = Byte.toUnsignedInt(r.get(66));
        int flags = Byte.toUnsignedInt(r.get(67));
        int sport = Short.toUnsignedInt(r.getShort(68));
        int dport = Short.toUnsignedInt(r.getShort(70));
        String comm = cString(r, 104, 16);
        String ifname = cString(r, 120, 16);
        int kind = Byte.toUnsignedInt(r.get(136));
        int stackBytes = r.getInt(140);

        Optional<Tuple> tuple = Optional.empty();
        if ((flags & F_HAS_TUPLE) != 0) {
            boolean v6 = (flags & F_IPV6) != 0;
            tuple = Optional.of(new Tuple(address(r, 72, v6), address(r, 88, v6), sport, dport, l4proto));
        }

        String probe;
        PacketEvent.ProbeKind probeKind;
        boolean drop = false;
        if (kind == KIND_FUNCTION) {
            probeKind = PacketEvent.ProbeKind.FUNCTION;
            probe = symbols.symbolize(probeAddr).map(EventDecoder::withoutZeroOffset).orElse(hex(probeAddr));
        } else if (kind == KIND_TRACEPOINT) {
            probeKind = PacketEvent.ProbeKind.TRACEPOINT;
            TracepointProbe p = probeId >= 0 && probeId < probesById.length ? probesById[probeId] : null;
            if (p == null) {
                throw new IllegalArgumentException("event names tracepoint probe id " + probeId + ", which is not attached");
            }
            probe = p.displayName();
            drop = p.reportsDrops();
        } else {
            throw new IllegalArgumentException("event has unknown probe kind " + kind);
        }

        Optional<String> dropReason = Optional.empty();
        if (drop) {
            dropReason = Optional.of((flags & F_HAS_REASON) != 0 ? dropReasons.name(reason) : "NOT_SPECIFIED");
        }
        Optional<String> where = (flags & F_HAS_LOCATION) != 0 && location != 0
                ? Optional.of(symbols.symbolize(location).orElse(hex(location)))
                : Optional.empty();

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
        return new PacketEvent(ts, skb, cpu, pid, comm, netns, ifindex, ifname, mark, len, protocol, tuple, probe,
                probeKind, dropReason, where, stack, (flags & F_TRACKED) != 0);
    }

    private static String withoutZeroOffset(String symbol) {
        return symbol.endsWith("+0x0") ? symbol.substring(0, symbol.length() - 4) : symbol;
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
