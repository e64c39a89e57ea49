// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import dev.packettrace.bindings.CbpfInstruction;
import dev.packettrace.bindings.Pcap;
import dev.packettrace.bindings.PcapCompileException;
import java.util.List;
import java.util.Objects;

/**
 * A pcap-filter expression (tcpdump's syntax, pwru's positional argument) compiled by libpcap into the two
 * classic BPF programs the kernel side runs (bpf/include/pcap.h): one for packets seen with their Ethernet
 * header, one for packets seen from their IP header. Expressions that only make sense with an Ethernet
 * header ({@code arp}, {@code ether host ...}) have no raw program; they reject every packet seen without
 * one, as pwru does.
 *
 * @param expression the text, as given
 * @param ethernet   compiled for DLT_EN10MB
 * @param raw        compiled for DLT_RAW
 */
public record PcapFilter(String expression, List<CbpfInstruction> ethernet, List<CbpfInstruction> raw) {

    /** PT_PCAP_MAX_INSNS in bpf/include/pcap.h. */
    public static final int MAX_INSTRUCTIONS = 512;
    /** Longer expressions are refused before libpcap sees them (the CRD's maxLength is the same). */
    public static final int MAX_LENGTH = 1024;

    public PcapFilter {
        Objects.requireNonNull(expression, "expression");
        ethernet = List.copyOf(ethernet);
        raw = List.copyOf(raw);
        for (List<CbpfInstruction> program : List.of(ethernet, raw)) {
            if (program.isEmpty() || program.size() > MAX_INSTRUCTIONS) {
                throw new IllegalArgumentException("the expression '" + expression + "' compiles to " + program.size()
                        + " classic BPF instructions; the tracer runs at most " + MAX_INSTRUCTIONS);
            }
        }
    }

    /**
     * Compiles with libpcap.
     *
     * @throws IllegalArgumentException with libpcap's message (pcap_geterr) when the expression is not valid
     * @throws UnsatisfiedLinkError when libpcap is not installed
     */
    public static PcapFilter compile(String expression) {
        if (expression.isBlank()) {
            throw new IllegalArgumentException("the filter expression is empty");
        }
        if (expression.length() > MAX_LENGTH) {
            throw new IllegalArgumentException(
                    "the filter expression is " + expression.length() + " characters long, at most " + MAX_LENGTH);
        }
        List<CbpfInstruction> ethernet;
        try {
            ethernet = Pcap.compile(expression, Pcap.LinkType.ETHERNET);
        } catch (PcapCompileException e) {
            throw new IllegalArgumentException(e.pcapMessage(), e);
        }
        List<CbpfInstruction> raw;
        try {
            raw = Pcap.compile(expression, Pcap.LinkType.RAW);
        } catch (PcapCompileException e) {
            // valid with an Ethernet header only ("arp", "ether src ..."): nothing seen without one matches
            raw = List.of(CbpfInstruction.ret(0));
        }
        return new PcapFilter(expression, ethernet, raw);
    }

    @Override
    public String toString() {
        return expression;
    }
}
