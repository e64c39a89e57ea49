// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import dev.packettrace.bindings.BpfMap;
import dev.packettrace.bindings.CbpfInstruction;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Writes the expressions' classic BPF programs into pt_pcap_progs (bpf/include/pcap.h), after the objects
 * are loaded and before any probe is attached: slot s's Ethernet program under key 2s, its raw one under 2s + 1.
 */
final class PcapPrograms {

    static final String MAP = "pt_pcap_progs";
    /** sizeof(struct pt_pcap_prog): len, padding, the instructions. */
    static final int VALUE_SIZE = 8 + PcapFilter.MAX_INSTRUCTIONS * 8;

    private PcapPrograms() {}

    static void write(BpfMap map, ExpressionSlots slots) {
        for (int s = 0; s < slots.filters().size(); s++) {
            PcapFilter f = slots.filters().get(s);
            map.update(NetnsFilterMap.u32(2L * s), encode(f.ethernet()));
            map.update(NetnsFilterMap.u32(2L * s + 1), encode(f.raw()));
        }
    }

    static byte[] encode(List<CbpfInstruction> program) {
        ByteBuffer b = ByteBuffer.allocate(VALUE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, program.size());
        for (int i = 0; i < program.size(); i++) {
            CbpfInstruction in = program.get(i);
            int at = 8 + i * 8;
            b.putShort(at, (short) in.code());
            b.put(at + 2, (byte) in.jt());
            b.put(at + 3, (byte) in.jf());
            b.putInt(at + 4, in.k());
        }
        return b.array();
    }
}
