// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class EventDecoderTest {

    private static final TracepointProbe KFREE = new TracepointProbe(
            0,
            "skb",
            "kfree_skb",
            "pt0_skb__kfree_skb",
            OptionalInt.of(0),
            OptionalInt.empty(),
            OptionalInt.of(1),
            OptionalInt.of(2));
    private static final TracepointProbe RX = new TracepointProbe(
            2,
            "net",
            "netif_receive_skb",
            "pt2_net__netif_receive_skb",
            OptionalInt.of(0),
            OptionalInt.empty(),
            OptionalInt.empty(),
            OptionalInt.empty());
    private static final long NF_HOOK_SLOW = 0xffffffff81c00000L;
    private static final AddressSymbolizer SYMBOLS =
            address -> address >= NF_HOOK_SLOW && address < NF_HOOK_SLOW + 0x200
                    ? Optional.of("nf_hook_slow+0x" + Long.toHexString(address - NF_HOOK_SLOW))
                    : Optional.empty();

    private final EventDecoder decoder =
            new EventDecoder(List.of(KFREE, RX), DropReasons.of(Map.of(6L, "NETFILTER_DROP")), SYMBOLS);

    @Test
    void decodesAnIpv4DropWithReasonAndLocation() throws Exception {
        ByteBuffer r = record(EventDecoder.BASE_SIZE);
        r.putLong(EventDecoder.OFF_TS_NS, 123_456_789L);
        r.putLong(EventDecoder.OFF_SKB, 0xffff888012345600L);
        r.putLong(EventDecoder.OFF_LOCATION, NF_HOOK_SLOW + 0xa4);
        r.putInt(EventDecoder.OFF_PROBE_ID, 0);
        r.putInt(EventDecoder.OFF_DROP_REASON, 6);
        r.putInt(EventDecoder.OFF_NETNS, (int) 4026532999L);
        r.putInt(EventDecoder.OFF_MARK, 0x42);
        r.putInt(EventDecoder.OFF_IFINDEX, 7);
        r.putInt(EventDecoder.OFF_LEN, 60);
        r.putInt(EventDecoder.OFF_PID, 4242);
        r.putInt(EventDecoder.OFF_CPU, 1);
        r.putShort(EventDecoder.OFF_PROTOCOL, (short) 0x0800);
        r.put(EventDecoder.OFF_L4PROTO, (byte) 6);
        r.put(EventDecoder.OFF_FLAGS, (byte)
                (EventDecoder.F_HAS_REASON | EventDecoder.F_HAS_TUPLE | EventDecoder.F_HAS_LOCATION));
        r.putShort(EventDecoder.OFF_SPORT, (short) 40000);
        r.putShort(EventDecoder.OFF_DPORT, (short) 9090);
        r.put(EventDecoder.OFF_SADDR, new byte[] {10, (byte) 199, 0, 1});
        r.put(EventDecoder.OFF_DADDR, new byte[] {10, (byte) 199, 0, 2});
        r.put(EventDecoder.OFF_COMM, "curl".getBytes(StandardCharsets.US_ASCII));
        r.put(EventDecoder.OFF_IFNAME, "veth-srv".getBytes(StandardCharsets.US_ASCII));
        r.put(EventDecoder.OFF_PROBE_KIND, (byte) EventDecoder.KIND_TRACEPOINT);

        PacketEvent e = decoder.decode(r);

        assertEquals(123_456_789L, e.timestampNs());
        assertEquals(0xffff888012345600L, e.skb());
        assertEquals("skb:kfree_skb", e.probe());
        assertEquals(Optional.of("NETFILTER_DROP"), e.dropReason());
        assertEquals(Optional.of("nf_hook_slow+0xa4"), e.location());
        assertEquals(4026532999L, e.netns(), "netns inode is unsigned 32-bit");
        assertEquals(0x42, e.mark());
        assertEquals(7, e.ifindex());
        assertEquals("veth-srv", e.ifname());
        assertEquals("curl", e.comm());
        assertEquals(4242, e.pid());
        assertEquals(0x0800, e.protocol());
        Tuple t = e.tuple().orElseThrow();
        assertEquals(InetAddress.getByName("10.199.0.1"), t.saddr());
        assertEquals(InetAddress.getByName("10.199.0.2"), t.daddr());
        assertEquals(40000, t.sport(), "ports are unsigned");
        assertEquals(9090, t.dport());
        assertEquals("tcp", t.l4protoName());
        assertTrue(e.isDrop());
        assertFalse(e.tracked());
        assertTrue(e.stack().isEmpty());
    }

    @Test
    void unknownReasonNumbersAreNamedNotHidden() {
        ByteBuffer r = tracepointRecord(0, EventDecoder.F_HAS_REASON);
        r.putInt(EventDecoder.OFF_DROP_REASON, 999);
        assertEquals(Optional.of("UNKNOWN_999"), decoder.decode(r).dropReason());
    }

    @Test
    void kfreeSkbWithoutReasonsIsStillADrop() {
        assertEquals(
                Optional.of("NOT_SPECIFIED"),
                decoder.decode(tracepointRecord(0, 0)).dropReason());
    }

    @Test
    void nonDropProbesHaveNoReasonAndTrackedFlagIsKept() {
        PacketEvent e = decoder.decode(tracepointRecord(2, EventDecoder.F_TRACKED));
        assertEquals("net:netif_receive_skb", e.probe());
        assertTrue(e.dropReason().isEmpty());
        assertTrue(e.location().isEmpty());
        assertTrue(e.tracked());
        assertTrue(e.tuple().isEmpty());
    }

    @Test
    void decodesIpv6Addresses() throws Exception {
        ByteBuffer r = tracepointRecord(2, EventDecoder.F_HAS_TUPLE | EventDecoder.F_IPV6);
        byte[] src = InetAddress.getByName("fd00:199::1").getAddress();
        byte[] dst = InetAddress.getByName("fd00:199::2").getAddress();
        r.put(EventDecoder.OFF_SADDR, src);
        r.put(EventDecoder.OFF_DADDR, dst);
        r.put(EventDecoder.OFF_L4PROTO, (byte) 58);
        Tuple t = decoder.decode(r).tuple().orElseThrow();
        assertEquals(InetAddress.getByName("fd00:199::1"), t.saddr());
        assertEquals(InetAddress.getByName("fd00:199::2"), t.daddr());
        assertEquals("icmp6", t.l4protoName());
    }

    @Test
    void stackFramesAreSymbolizedInnermostFirstAndUnknownOnesShownAsHex() {
        ByteBuffer r = record(EventDecoder.BASE_SIZE + 3 * 8);
        fillTracepoint(r, 0, 0);
        r.putInt(EventDecoder.OFF_STACK_BYTES, 3 * 8);
        r.putLong(EventDecoder.BASE_SIZE, NF_HOOK_SLOW + 0x10);
        r.putLong(EventDecoder.BASE_SIZE + 8, 0xffffffffa0001234L);
        r.putLong(EventDecoder.BASE_SIZE + 16, NF_HOOK_SLOW);
        assertEquals(
                List.of("nf_hook_slow+0x10", "0xffffffffa0001234", "nf_hook_slow+0x0"),
                decoder.decode(r).stack());
    }

    @Test
    void rejectsTruncatedRecordsAndUnknownProbes() {
        assertThrows(IllegalArgumentException.class, () -> decoder.decode(record(EventDecoder.BASE_SIZE - 1)));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> decoder.decode(tracepointRecord(5, 0)));
        assertTrue(e.getMessage().contains("probe id 5"), e.getMessage());
    }

    @Test
    void functionEventsAreNamedByTheIndexTheirCookieCarriedAndReportTheirCaller() {
        EventDecoder functions = new EventDecoder(
                List.of(KFREE),
                DropReasons.of(Map.of()),
                SYMBOLS,
                List.of("ip_rcv", "nf_hook_slow", "kfree_skb_reason"));
        ByteBuffer r = record(EventDecoder.BASE_SIZE);
        r.put(EventDecoder.OFF_PROBE_KIND, (byte) EventDecoder.KIND_FUNCTION);
        r.putInt(EventDecoder.OFF_PROBE_ID, (int)
                (FunctionCookie.of(2, new SkbFunction("kfree_skb_reason", 1, 2)) >>> FunctionCookie.INDEX_SHIFT));
        r.putLong(EventDecoder.OFF_PROBE_ADDR, 0xffffffff81000000L);
        r.putLong(EventDecoder.OFF_LOCATION, NF_HOOK_SLOW + 0x6b);
        r.put(EventDecoder.OFF_FLAGS, (byte) EventDecoder.F_HAS_CALLER);

        PacketEvent e = functions.decode(r);

        assertEquals("kfree_skb_reason", e.probe());
        assertEquals(PacketEvent.ProbeKind.FUNCTION, e.probeKind());
        assertEquals(Optional.of("nf_hook_slow+0x6b"), e.caller());
        assertTrue(e.location().isEmpty(), "a caller is not a drop location");
        assertFalse(e.isDrop(), "the drop itself is reported by skb:kfree_skb with its reason");
    }

    @Test
    void functionEventsWithoutAnIndexAreNamedFromTheirAddressWithoutTheEntryOffset() {
        EventDecoder functions = new EventDecoder(List.of(KFREE), DropReasons.of(Map.of()), SYMBOLS, List.of("ip_rcv"));
        ByteBuffer r = record(EventDecoder.BASE_SIZE);
        r.put(EventDecoder.OFF_PROBE_KIND, (byte) EventDecoder.KIND_FUNCTION);
        r.putInt(EventDecoder.OFF_PROBE_ID, 0); // no cookie (kernel before 5.15)
        r.putLong(EventDecoder.OFF_PROBE_ADDR, NF_HOOK_SLOW + 4); // past endbr64 on an IBT kernel
        assertEquals("nf_hook_slow", functions.decode(r).probe());

        r.putInt(EventDecoder.OFF_PROBE_ID, 7); // an index beyond the table: trust the address instead
        r.putLong(EventDecoder.OFF_PROBE_ADDR, 0xffffffffa0000010L);
        PacketEvent unknown = functions.decode(r);
        assertEquals("0xffffffffa0000010", unknown.probe());
        assertTrue(unknown.caller().isEmpty());
    }

    private static ByteBuffer tracepointRecord(int probeId, int flags) {
        ByteBuffer r = record(EventDecoder.BASE_SIZE);
        fillTracepoint(r, probeId, flags);
        return r;
    }

    private static void fillTracepoint(ByteBuffer r, int probeId, int flags) {
        r.putInt(EventDecoder.OFF_PROBE_ID, probeId);
        r.put(EventDecoder.OFF_FLAGS, (byte) flags);
        r.put(EventDecoder.OFF_PROBE_KIND, (byte) EventDecoder.KIND_TRACEPOINT);
    }

    private static ByteBuffer record(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
