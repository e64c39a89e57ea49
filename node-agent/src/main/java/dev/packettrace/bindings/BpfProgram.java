// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.bindings;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/** A program inside a {@link BpfObject}; valid while the object is open. */
public final class BpfProgram {

    /** struct bpf_kprobe_opts (libbpf 1.1): sz, bpf_cookie, offset, retprobe; 32 bytes with padding. */
    private static final long KPROBE_OPTS_SIZE = 32;
    private static final long KPROBE_OPTS_COOKIE = 8;
    /** struct bpf_kprobe_multi_opts (libbpf 1.1): sz, syms, addrs, cookies, cnt, retprobe; 48 bytes. */
    private static final long KPROBE_MULTI_OPTS_SIZE = 48;
    private static final long KPROBE_MULTI_OPTS_SYMS = 8;
    private static final long KPROBE_MULTI_OPTS_COOKIES = 24;
    private static final long KPROBE_MULTI_OPTS_CNT = 32;

    private final MemorySegment program;
    private final String name;
    private final String section;

    BpfProgram(MemorySegment program) {
        this.program = program;
        try {
            this.name = Native.string((MemorySegment) Native.PROGRAM_NAME.invokeExact(program)).orElse("");
            this.section = Native.string((MemorySegment) Native.PROGRAM_SECTION.invokeExact(program)).orElse("");
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    /** The function name in the ELF object (not cut to the kernel's 15 characters). */
    public String name() {
        return name;
    }

    /** The ELF section, e.g. "tp_btf/kfree_skb". */
    public String section() {
        return section;
    }

    /** Whether bpf_object__load loads this program; set before loading. */
    public void setAutoload(boolean autoload) {
        try {
            Calls.check("bpf_program__set_autoload(" + name + ")",
                    (int) Native.PROGRAM_SET_AUTOLOAD.invokeExact(program, autoload));
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    public boolean autoload() {
        try {
            return (boolean) Native.PROGRAM_AUTOLOAD.invokeExact(program);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    /** The kernel's id of the loaded program (what bpftool prog show lists). */
    public int kernelId() {
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) Native.PROGRAM_FD.invokeExact(program);
            Calls.check("bpf_program__fd(" + name + ")", fd);
            // struct bpf_prog_info starts with __u32 type, __u32 id: asking for 8 bytes is enough
            MemorySegment info = arena.allocate(8);
            MemorySegment length = arena.allocate(JAVA_INT);
            length.set(JAVA_INT, 0, 8);
            LibbpfLog.begin();
            Calls.check("bpf_obj_get_info_by_fd(" + name + ")",
                    (int) Native.OBJ_GET_INFO_BY_FD.invokeExact(fd, info, length));
            return info.get(JAVA_INT, 4);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    /**
     * Attaches a kprobe program to the entry of one kernel function. The cookie is what the program
     * reads with bpf_get_attach_cookie (kernels 5.15+; pass 0 on older ones).
     */
    public BpfLink attachKprobe(String function, long cookie) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment opts = arena.allocate(KPROBE_OPTS_SIZE, 8);
            opts.set(JAVA_LONG, 0, KPROBE_OPTS_SIZE);
            opts.set(JAVA_LONG, KPROBE_OPTS_COOKIE, cookie);
            MemorySegment capture = Native.captureSegment(arena);
            LibbpfLog.begin();
            MemorySegment link = (MemorySegment) Native.PROGRAM_ATTACH_KPROBE_OPTS.invokeExact(
                    capture, program, arena.allocateFrom(function), opts);
            String what = name + " -> kprobe/" + function;
            return new BpfLink(Calls.checkPointer("bpf_program__attach_kprobe_opts(" + what + ")", link, capture), what);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    /**
     * Attaches a kprobe-multi program (section kprobe.multi) to the entries of all the given functions
     * with one link, giving each function its cookie (cookies[i] belongs to functions.get(i)). Needs
     * a kernel with CONFIG_FPROBE (5.18+); without it the kernel answers EOPNOTSUPP.
     */
    public BpfLink attachKprobeMulti(List<String> functions, long[] cookies) {
        if (functions.isEmpty() || cookies.length != functions.size()) {
            throw new IllegalArgumentException("kprobe-multi needs one cookie per function and at least one function, got "
                    + functions.size() + " functions and " + cookies.length + " cookies");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment syms = arena.allocate(ADDRESS, functions.size());
            for (int i = 0; i < functions.size(); i++) {
                syms.setAtIndex(ADDRESS, i, arena.allocateFrom(functions.get(i)));
            }
            MemorySegment opts = arena.allocate(KPROBE_MULTI_OPTS_SIZE, 8);
            opts.set(JAVA_LONG, 0, KPROBE_MULTI_OPTS_SIZE);
            opts.set(ADDRESS, KPROBE_MULTI_OPTS_SYMS, syms);
            opts.set(ADDRESS, KPROBE_MULTI_OPTS_COOKIES, arena.allocateFrom(JAVA_LONG, cookies));
            opts.set(JAVA_LONG, KPROBE_MULTI_OPTS_CNT, functions.size());
            MemorySegment capture = Native.captureSegment(arena);
            LibbpfLog.begin();
            MemorySegment link = (MemorySegment) Native.PROGRAM_ATTACH_KPROBE_MULTI_OPTS.invokeExact(
                    capture, program, MemorySegment.NULL, opts);
            String what = name + " -> kprobe.multi/" + functions.size() + " functions (" + functions.getFirst()
                    + (functions.size() > 1 ? ", ..." : "") + ")";
            return new BpfLink(Calls.checkPointer("bpf_program__attach_kprobe_multi_opts(" + what + ")", link, capture), what);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    /**
     * Before load: binds a BTF-typed program (fentry, fexit) to a kernel function, found in the kernel's
     * BTF (vmlinux, then loaded modules). The verifier checks the program against that function's
     * prototype at load.
     */
    public void setAttachTarget(String function) {
        try (Arena arena = Arena.ofConfined()) {
            LibbpfLog.begin();
            Calls.check("bpf_program__set_attach_target(" + name + ", " + function + ")",
                    (int) Native.PROGRAM_SET_ATTACH_TARGET.invokeExact(program, 0, arena.allocateFrom(function)));
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    /**
     * Attaches a loaded BTF-typed program where it was bound at load: a tp_btf program to its tracepoint,
     * an fentry/fexit program to its function. The target only names the link, e.g. "kfree_skb".
     */
    public BpfLink attachTrace(String target) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = Native.captureSegment(arena);
            LibbpfLog.begin();
            MemorySegment link = (MemorySegment) Native.PROGRAM_ATTACH_TRACE.invokeExact(capture, program);
            String kind = section().split("/", 2)[0]; // "tp_btf/kfree_skb" -> tp_btf, "fentry" -> fentry
            String what = name + " -> " + kind + "/" + target;
            return new BpfLink(Calls.checkPointer("bpf_program__attach_trace(" + what + ")", link, capture), what);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    MemorySegment handle() {
        return program;
    }
}
