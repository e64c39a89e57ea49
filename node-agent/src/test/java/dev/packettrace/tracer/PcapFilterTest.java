// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.bindings.CbpfInstruction;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** libpcap as the compiler: real compiles through the FFM bindings, and their encoding for the kernel's map. */
class PcapFilterTest {

    @Test
    void compilesForEthernetAndRaw() {
        PcapFilter f = PcapFilter.compile("tcp and dst port 443 and not net 10.0.0.0/8");
        // the Ethernet program starts by loading the ethertype at offset 12: ldh [12]
        assertEquals(new CbpfInstruction(0x28, 0, 0, 12), f.ethernet().getFirst());
        // the raw program tests the IP version in the first byte: ldb [0]
        assertEquals(new CbpfInstruction(0x30, 0, 0, 0), f.raw().getFirst());
        assertTrue(f.ethernet().getLast().code() == 0x06, "ends with a return: " + f.ethernet());
    }

    @Test
    void aBadExpressionFailsWithLibpcapsMessage() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> PcapFilter.compile("tcp and and dst port 443"));
        // word for word what tcpdump says of it
        assertEquals("can't parse filter expression: syntax error", e.getMessage());
        IllegalArgumentException port =
                assertThrows(IllegalArgumentException.class, () -> PcapFilter.compile("port 99999"));
        assertTrue(port.getMessage().contains("port"), port.getMessage());
    }

    @Test
    void anEthernetOnlyExpressionRejectsEveryPacketSeenWithoutEthernetHeader() {
        PcapFilter arp = PcapFilter.compile("arp");
        assertEquals(List.of(CbpfInstruction.ret(0)), arp.raw());
        assertTrue(arp.ethernet().size() > 1);
    }

    @Test
    void overLongAndEmptyExpressionsAreRefusedBeforeLibpcap() {
        String longest = "tcp or ".repeat(200) + "tcp";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PcapFilter.compile(longest));
        assertTrue(e.getMessage().contains("at most " + PcapFilter.MAX_LENGTH), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PcapFilter.compile("  "));
    }

    @Test
    void encodesAsStructPtPcapProg() {
        List<CbpfInstruction> program = List.of(
                new CbpfInstruction(0x28, 0, 0, 12), new CbpfInstruction(0x15, 1, 2, 0x800), CbpfInstruction.ret(-1));
        ByteBuffer b = ByteBuffer.wrap(PcapPrograms.encode(program)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(PcapPrograms.VALUE_SIZE, b.capacity());
        assertEquals(3, b.getInt(0));
        assertEquals(0x15, b.getShort(16));
        assertEquals(1, b.get(18));
        assertEquals(2, b.get(19));
        assertEquals(0x800, b.getInt(20));
        assertEquals(-1, b.getInt(28));
    }

    @Test
    void slotsNameTheExpressionsAnEventMatched() {
        ExpressionSlots slots = new ExpressionSlots(
                List.of(PcapFilter.compile("tcp"), PcapFilter.compile("udp"), PcapFilter.compile("icmp")), true);
        assertEquals(0b111, slots.requireMask());
        assertEquals(java.util.Set.of("tcp", "icmp"), slots.matched(0b101));
        assertEquals(java.util.Set.of(), slots.matched(0));
        assertThrows(
                IllegalArgumentException.class,
                () -> new ExpressionSlots(List.of(PcapFilter.compile("tcp"), PcapFilter.compile("tcp")), false));
    }
}
