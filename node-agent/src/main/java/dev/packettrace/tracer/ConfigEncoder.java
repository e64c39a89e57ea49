package dev.packettrace.tracer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalInt;

/**
 * Encodes a filter and the discovered tracepoint argument positions as {@code struct pt_config}
 * (bpf/include/config.h), the bytes the BPF programs read from .rodata.
 */
public final class ConfigEncoder {

    /** sizeof(struct pt_config). */
    public static final int SIZE = 72 + 4 * TracepointCatalog.MAX_PROBES;
    private static final byte NO_ARG = (byte) 0xff;
    private static final int ARG_TABLES = 72;

    private ConfigEncoder() {
    }

    public static byte[] encode(TraceFilter filter, boolean captureStack, List<TracepointProbe> probes) {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, (byte) (filter.netnsInodes().isEmpty() ? 0 : 1));
        b.put(1, (byte) (filter.mark().isPresent() ? 1 : 0));
        b.put(2, (byte) (filter.ifname().isPresent() ? 1 : 0));
        b.put(3, (byte) (filter.trackSkb() ? 1 : 0));
        b.put(4, (byte) filter.proto().map(L4Proto::number).orElse(0).intValue());
        b.put(5, (byte) (captureStack ? 1 : 0));
        b.putShort(6, (short) filter.srcPort().orElse(0));
        b.putShort(8, (short) filter.dstPort().orElse(0));
        b.putInt(12, (int) filter.mark().orElse(0));
        filter.ifname().ifPresent(name -> b.put(16, name.getBytes(StandardCharsets.US_ASCII)));
        filter.srcIp().ifPresent(p -> putPrefix(b, 32, p));
        filter.dstIp().ifPresent(p -> putPrefix(b, 52, p));
        for (int i = ARG_TABLES; i < SIZE; i++) {
            b.put(i, NO_ARG);
        }
        for (TracepointProbe p : probes) {
            putArg(b, 0, p.id(), p.skbArg());
            putArg(b, 1, p.id(), p.sockArg());
            putArg(b, 2, p.id(), p.locationArg());
            putArg(b, 3, p.id(), p.reasonArg());
        }
        return b.array();
    }

    private static void putPrefix(ByteBuffer b, int offset, IpPrefix prefix) {
        byte[] addr = prefix.network().getAddress();
        for (int i = 0; i < addr.length; i++) {
            b.put(offset + i, addr[i]);
        }
        b.put(offset + 16, (byte) (prefix.isIpv6() ? 6 : 4));
        b.put(offset + 17, (byte) prefix.prefixLength());
    }

    private static void putArg(ByteBuffer b, int table, int probeId, OptionalInt arg) {
        if (arg.isPresent()) {
            b.put(ARG_TABLES + table * TracepointCatalog.MAX_PROBES + probeId, (byte) arg.getAsInt());
        }
    }
}
