// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConfigEncoderTest {

    private static final TracepointProbe KFREE = new TracepointProbe(
            0,
            "skb",
            "kfree_skb",
            "pt0_skb__kfree_skb",
            OptionalInt.of(0),
            OptionalInt.of(3),
            OptionalInt.of(1),
            OptionalInt.of(2));
    private static final TracepointProbe RESET = new TracepointProbe(
            10,
            "tcp",
            "tcp_receive_reset",
            "pt10_tcp__tcp_receive_reset",
            OptionalInt.empty(),
            OptionalInt.of(0),
            OptionalInt.empty(),
            OptionalInt.empty());

    @Test
    void emptyFilterDisablesEveryFilter() {
        ByteBuffer b = encode(TraceFilter.all(), false);
        for (int off = 0; off < ConfigEncoder.OFF_SKB_ARG; off++) {
            assertEquals(0, b.get(off), "byte " + off + " of an all-matching config");
        }
    }

    @Test
    void everyFilterLandsInItsField() {
        TraceFilter f = new TraceFilter(
                Set.of(4026531840L),
                OptionalLong.of(0xcafeL),
                Optional.of("veth0"),
                Optional.of(IpPrefix.parse("10.1.2.0/24")),
                Optional.of(IpPrefix.parse("fd00::1")),
                OptionalInt.of(1234),
                OptionalInt.of(443),
                Optional.of(L4Proto.TCP),
                true);
        ByteBuffer b = encode(f, true);
        assertEquals(1, b.get(ConfigEncoder.OFF_FILTER_NETNS));
        assertEquals(1, b.get(ConfigEncoder.OFF_FILTER_MARK));
        assertEquals(1, b.get(ConfigEncoder.OFF_FILTER_IFNAME));
        assertEquals(1, b.get(ConfigEncoder.OFF_TRACK_SKB));
        assertEquals(6, b.get(ConfigEncoder.OFF_L4PROTO));
        assertEquals(1, b.get(ConfigEncoder.OFF_CAPTURE_STACK));
        assertEquals(1234, b.getShort(ConfigEncoder.OFF_SPORT));
        assertEquals(443, b.getShort(ConfigEncoder.OFF_DPORT));
        assertEquals(0xcafe, b.getInt(ConfigEncoder.OFF_MARK));
        byte[] name = new byte[16];
        b.get(ConfigEncoder.OFF_IFNAME, name);
        assertEquals("veth0", new String(name).trim().replace("\0", ""));
        byte[] src = new byte[4];
        b.get(ConfigEncoder.OFF_SRC, src);
        assertArrayEquals(new byte[] {10, 1, 2, 0}, src);
        assertEquals(4, b.get(ConfigEncoder.OFF_SRC + ConfigEncoder.ADDR_FAMILY));
        assertEquals(24, b.get(ConfigEncoder.OFF_SRC + ConfigEncoder.ADDR_PREFIXLEN));
        assertEquals(6, b.get(ConfigEncoder.OFF_DST + ConfigEncoder.ADDR_FAMILY));
        assertEquals((byte) 128, b.get(ConfigEncoder.OFF_DST + ConfigEncoder.ADDR_PREFIXLEN));
        assertEquals((byte) 0xfd, b.get(ConfigEncoder.OFF_DST));
        assertEquals(1, b.get(ConfigEncoder.OFF_DST + 15));
    }

    @Test
    void argumentTablesHoldPositionsAndNoArgElsewhere() {
        ByteBuffer b = encode(TraceFilter.all(), false);
        assertEquals(0, b.get(ConfigEncoder.OFF_SKB_ARG + 0));
        assertEquals(3, b.get(ConfigEncoder.OFF_SK_ARG + 0));
        assertEquals(1, b.get(ConfigEncoder.OFF_LOCATION_ARG + 0));
        assertEquals(2, b.get(ConfigEncoder.OFF_REASON_ARG + 0));
        assertEquals((byte) 0xff, b.get(ConfigEncoder.OFF_SKB_ARG + 10), "tcp_receive_reset has no skb");
        assertEquals(0, b.get(ConfigEncoder.OFF_SK_ARG + 10));
        assertEquals((byte) 0xff, b.get(ConfigEncoder.OFF_SKB_ARG + 5), "probe 5 is not attached");
    }

    @Test
    void theEventStreamIsEncodedAfterTheExpressions() {
        ByteBuffer all = encode(TraceFilter.all(), false);
        assertEquals(0, all.get(ConfigEncoder.OFF_EVENTS), "PT_EVENTS_ALL");
        assertEquals(0, all.get(ConfigEncoder.OFF_KERNEL_COUNTS));
        assertEquals(0, all.getInt(ConfigEncoder.OFF_EVENT_BUDGET), "no budget");
        ByteBuffer drops = ByteBuffer.wrap(ConfigEncoder.encode(
                        TraceFilter.all(),
                        false,
                        false,
                        ExpressionSlots.none(),
                        EventStream.of(EventStream.Events.DROPS, 250),
                        List.of(KFREE)))
                .order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1, drops.get(ConfigEncoder.OFF_EVENTS), "PT_EVENTS_DROPS");
        assertEquals(1, drops.get(ConfigEncoder.OFF_KERNEL_COUNTS), "counted in the kernel");
        assertEquals(250, drops.getInt(ConfigEncoder.OFF_EVENT_BUDGET));
        ByteBuffer none = ByteBuffer.wrap(ConfigEncoder.encode(
                        TraceFilter.all(),
                        false,
                        false,
                        ExpressionSlots.none(),
                        EventStream.of(EventStream.Events.NONE, 0),
                        List.of(KFREE)))
                .order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(2, none.get(ConfigEncoder.OFF_EVENTS), "PT_EVENTS_NONE");
    }

    private static ByteBuffer encode(TraceFilter filter, boolean stack) {
        byte[] bytes = ConfigEncoder.encode(filter, stack, List.of(KFREE, RESET));
        assertEquals(ConfigEncoder.SIZE, bytes.length);
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}
