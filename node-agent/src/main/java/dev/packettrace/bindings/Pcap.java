// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.bindings;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * pcap-filter expressions compiled by libpcap (Debian's libpcap0.8 ships it as libpcap.so.0.8) into
 * classic BPF: {@code pcap_open_dead} for a link type, {@code pcap_compile}, {@code pcap_freecode},
 * {@code pcap_close}. Nothing is captured; libpcap is only the compiler, so the expressions mean exactly
 * what they mean to tcpdump. The library is loaded when first used: tracing without an expression does
 * not need it.
 */
@SuppressWarnings("restricted") // see package-info
public final class Pcap {

    /** libpcap's snapshot length for "everything" (MAXIMUM_SNAPLEN); a match returns it. */
    public static final int SNAPLEN = 262144;

    /** The link types the tracer compiles for. */
    public enum LinkType {
        /** DLT_EN10MB: the packet starts with an Ethernet header. */
        ETHERNET(1),
        /** DLT_RAW: the packet starts with its IPv4 or IPv6 header. */
        RAW(12);

        final int dlt;

        LinkType(int dlt) {
            this.dlt = dlt;
        }
    }

    private Pcap() {}

    /**
     * Compiles an expression, optimised, as tcpdump does with no netmask known.
     *
     * @throws PcapCompileException with libpcap's message when the expression is not valid for this link type
     * @throws UnsatisfiedLinkError when libpcap is not installed (the message names the package)
     */
    public static List<CbpfInstruction> compile(String expression, LinkType linkType) {
        // pcap_compile kept global parser state until libpcap 1.8; one compile at a time is cheap insurance
        synchronized (Pcap.class) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment pcap = Lib.openDead(linkType.dlt, SNAPLEN);
                if (pcap.equals(MemorySegment.NULL)) {
                    throw new IllegalStateException("pcap_open_dead(" + linkType + ") failed: out of memory");
                }
                try {
                    MemorySegment program = arena.allocate(Lib.BPF_PROGRAM);
                    MemorySegment text = arena.allocateFrom(expression, StandardCharsets.UTF_8);
                    int rc = Lib.compile(pcap, program, text, 1, Lib.PCAP_NETMASK_UNKNOWN);
                    if (rc != 0) {
                        MemorySegment error = Lib.geterr(pcap);
                        throw new PcapCompileException(
                                expression, Native.string(error).orElse("pcap_compile failed"));
                    }
                    try {
                        return instructions(program);
                    } finally {
                        Lib.freecode(program);
                    }
                } finally {
                    Lib.close(pcap);
                }
            }
        }
    }

    private static List<CbpfInstruction> instructions(MemorySegment program) {
        int count = (int) Lib.BF_LEN.get(program, 0L);
        MemorySegment insns =
                ((MemorySegment) Lib.BF_INSNS.get(program, 0L)).reinterpret(count * Lib.BPF_INSN.byteSize());
        List<CbpfInstruction> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long at = i * Lib.BPF_INSN.byteSize();
            out.add(new CbpfInstruction(
                    Short.toUnsignedInt((short) Lib.INSN_CODE.get(insns, at)),
                    Byte.toUnsignedInt((byte) Lib.INSN_JT.get(insns, at)),
                    Byte.toUnsignedInt((byte) Lib.INSN_JF.get(insns, at)),
                    (int) Lib.INSN_K.get(insns, at)));
        }
        return List.copyOf(out);
    }

    /** The library and its handles, made on first use. */
    private static final class Lib {
        static final String SONAME = "libpcap.so.0.8";
        static final int PCAP_NETMASK_UNKNOWN = 0xffffffff;
        /** struct bpf_insn { u_short code; u_char jt; u_char jf; bpf_u_int32 k; } (pcap/bpf.h) */
        static final StructLayout BPF_INSN = MemoryLayout.structLayout(
                JAVA_SHORT.withName("code"),
                JAVA_BYTE.withName("jt"),
                JAVA_BYTE.withName("jf"),
                JAVA_INT.withName("k"));

        static final VarHandle INSN_CODE = BPF_INSN.varHandle(PathElement.groupElement("code"));
        static final VarHandle INSN_JT = BPF_INSN.varHandle(PathElement.groupElement("jt"));
        static final VarHandle INSN_JF = BPF_INSN.varHandle(PathElement.groupElement("jf"));
        static final VarHandle INSN_K = BPF_INSN.varHandle(PathElement.groupElement("k"));
        /** struct bpf_program { u_int bf_len; struct bpf_insn *bf_insns; } */
        static final StructLayout BPF_PROGRAM = MemoryLayout.structLayout(
                JAVA_INT.withName("bf_len"),
                MemoryLayout.paddingLayout(ADDRESS.byteSize() - JAVA_INT.byteSize()),
                ADDRESS.withName("bf_insns"));

        static final VarHandle BF_LEN = BPF_PROGRAM.varHandle(PathElement.groupElement("bf_len"));
        static final VarHandle BF_INSNS = BPF_PROGRAM.varHandle(PathElement.groupElement("bf_insns"));
        private static final SymbolLookup LIBPCAP = load();

        private static final MethodHandle OPEN_DEAD =
                handle("pcap_open_dead", FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_INT));
        private static final MethodHandle COMPILE =
                handle("pcap_compile", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT));
        private static final MethodHandle GETERR = handle("pcap_geterr", FunctionDescriptor.of(ADDRESS, ADDRESS));
        private static final MethodHandle FREECODE = handle("pcap_freecode", FunctionDescriptor.ofVoid(ADDRESS));
        private static final MethodHandle CLOSE = handle("pcap_close", FunctionDescriptor.ofVoid(ADDRESS));

        // One typed method per function, as in Native: callers see neither MethodHandle nor Throwable.

        static MemorySegment openDead(int linkType, int snaplen) {
            try {
                return (MemorySegment) OPEN_DEAD.invokeExact(linkType, snaplen);
            } catch (Throwable t) {
                throw Calls.rethrow(t);
            }
        }

        static int compile(
                MemorySegment pcap, MemorySegment program, MemorySegment expression, int optimize, int netmask) {
            try {
                return (int) COMPILE.invokeExact(pcap, program, expression, optimize, netmask);
            } catch (Throwable t) {
                throw Calls.rethrow(t);
            }
        }

        static MemorySegment geterr(MemorySegment pcap) {
            try {
                return (MemorySegment) GETERR.invokeExact(pcap);
            } catch (Throwable t) {
                throw Calls.rethrow(t);
            }
        }

        static void freecode(MemorySegment program) {
            try {
                FREECODE.invokeExact(program);
            } catch (Throwable t) {
                throw Calls.rethrow(t);
            }
        }

        static void close(MemorySegment pcap) {
            try {
                CLOSE.invokeExact(pcap);
            } catch (Throwable t) {
                throw Calls.rethrow(t);
            }
        }

        private static SymbolLookup load() {
            try {
                return SymbolLookup.libraryLookup(SONAME, Arena.global());
            } catch (IllegalArgumentException e) {
                throw new UnsatisfiedLinkError(SONAME + " not found: filter expressions are compiled by libpcap "
                        + "(Debian/Ubuntu package libpcap0.8, Fedora libpcap) (" + e.getMessage() + ")");
            }
        }

        private static MethodHandle handle(String name, FunctionDescriptor descriptor) {
            return Linker.nativeLinker()
                    .downcallHandle(
                            LIBPCAP.find(name)
                                    .orElseThrow(() -> new UnsatisfiedLinkError(SONAME + " has no symbol " + name)),
                            descriptor);
        }
    }
}
