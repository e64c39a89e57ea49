// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.bindings;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;
import java.util.List;

/** A program inside a {@link BpfObject}; valid while the object is open. */
public final class BpfProgram {

    // libbpf's opts structs as libbpf 1.1 (the oldest supported) defines them in libbpf.h. Newer versions
    // add members in the tail padding or after it; they read only sz bytes and take the rest as zero (their
    // defaults), so passing the 1.1 size keeps one layout valid for every libbpf 1.x.

    /** struct bpf_kprobe_opts { size_t sz; __u64 bpf_cookie; size_t offset; bool retprobe; size_t :0; } */
    private static final StructLayout KPROBE_OPTS = MemoryLayout.structLayout(
                    JAVA_LONG.withName("sz"),
                    JAVA_LONG.withName("bpf_cookie"),
                    JAVA_LONG.withName("offset"),
                    JAVA_BOOLEAN.withName("retprobe"),
                    MemoryLayout.paddingLayout(7))
            .withName("bpf_kprobe_opts");

    private static final VarHandle KPROBE_OPTS_SZ = KPROBE_OPTS.varHandle(PathElement.groupElement("sz"));
    private static final VarHandle KPROBE_OPTS_COOKIE = KPROBE_OPTS.varHandle(PathElement.groupElement("bpf_cookie"));

    /**
     * struct bpf_kprobe_multi_opts { size_t sz; const char **syms; const unsigned long *addrs;
     * const __u64 *cookies; size_t cnt; bool retprobe; size_t :0; }
     */
    private static final StructLayout KPROBE_MULTI_OPTS = MemoryLayout.structLayout(
                    JAVA_LONG.withName("sz"),
                    ADDRESS.withName("syms"),
                    ADDRESS.withName("addrs"),
                    ADDRESS.withName("cookies"),
                    JAVA_LONG.withName("cnt"),
                    JAVA_BOOLEAN.withName("retprobe"),
                    MemoryLayout.paddingLayout(7))
            .withName("bpf_kprobe_multi_opts");

    private static final VarHandle KPROBE_MULTI_OPTS_SZ = KPROBE_MULTI_OPTS.varHandle(PathElement.groupElement("sz"));
    private static final VarHandle KPROBE_MULTI_OPTS_SYMS =
            KPROBE_MULTI_OPTS.varHandle(PathElement.groupElement("syms"));
    private static final VarHandle KPROBE_MULTI_OPTS_COOKIES =
            KPROBE_MULTI_OPTS.varHandle(PathElement.groupElement("cookies"));
    private static final VarHandle KPROBE_MULTI_OPTS_CNT = KPROBE_MULTI_OPTS.varHandle(PathElement.groupElement("cnt"));

    /**
     * The start of the kernel's struct bpf_prog_info (uapi linux/bpf.h): { __u32 type; __u32 id; ... }. The
     * kernel fills only info_len bytes, so asking for this prefix is enough for the id and does not depend
     * on how long this kernel's struct is.
     */
    private static final StructLayout PROG_INFO = MemoryLayout.structLayout(
                    JAVA_INT.withName("type"), JAVA_INT.withName("id"))
            .withName("bpf_prog_info");

    private static final VarHandle PROG_INFO_ID = PROG_INFO.varHandle(PathElement.groupElement("id"));

    private final MemorySegment program;
    private final String name;
    private final String section;

    BpfProgram(MemorySegment program) {
        this.program = program;
        this.name = Native.string(Native.programName(program)).orElse("");
        this.section = Native.string(Native.programSectionName(program)).orElse("");
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
        Calls.check("bpf_program__set_autoload(" + name + ")", Native.programSetAutoload(program, autoload));
    }

    public boolean autoload() {
        return Native.programAutoload(program);
    }

    /** The kernel's id of the loaded program (what bpftool prog show lists). */
    public int kernelId() {
        try (Arena arena = Arena.ofConfined()) {
            int fd = Native.programFd(program);
            Calls.check("bpf_program__fd(" + name + ")", fd);
            MemorySegment info = arena.allocate(PROG_INFO);
            MemorySegment length = arena.allocateFrom(JAVA_INT, (int) PROG_INFO.byteSize());
            LibbpfLog.begin();
            Calls.check("bpf_obj_get_info_by_fd(" + name + ")", Native.objGetInfoByFd(fd, info, length));
            return (int) PROG_INFO_ID.get(info, 0L);
        }
    }

    /**
     * Attaches a kprobe program to the entry of one kernel function. The cookie is what the program
     * reads with bpf_get_attach_cookie (kernels 5.15+; pass 0 on older ones).
     */
    public BpfLink attachKprobe(String function, long cookie) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment opts = arena.allocate(KPROBE_OPTS);
            KPROBE_OPTS_SZ.set(opts, 0L, KPROBE_OPTS.byteSize());
            KPROBE_OPTS_COOKIE.set(opts, 0L, cookie);
            MemorySegment capture = Native.captureSegment(arena);
            LibbpfLog.begin();
            MemorySegment link = Native.programAttachKprobeOpts(capture, program, arena.allocateFrom(function), opts);
            String what = name + " -> kprobe/" + function;
            return new BpfLink(
                    Calls.checkPointer("bpf_program__attach_kprobe_opts(" + what + ")", link, capture), what);
        }
    }

    /**
     * Attaches a kprobe-multi program (section kprobe.multi) to the entries of all the given functions
     * with one link, giving each function its cookie (cookies[i] belongs to functions.get(i)). Needs
     * a kernel with CONFIG_FPROBE (5.18+); without it the kernel answers EOPNOTSUPP.
     */
    public BpfLink attachKprobeMulti(List<String> functions, long[] cookies) {
        if (functions.isEmpty() || cookies.length != functions.size()) {
            throw new IllegalArgumentException(
                    "kprobe-multi needs one cookie per function and at least one function, got " + functions.size()
                            + " functions and " + cookies.length + " cookies");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment syms = arena.allocate(ADDRESS, functions.size());
            for (int i = 0; i < functions.size(); i++) {
                syms.setAtIndex(ADDRESS, i, arena.allocateFrom(functions.get(i)));
            }
            MemorySegment opts = arena.allocate(KPROBE_MULTI_OPTS);
            KPROBE_MULTI_OPTS_SZ.set(opts, 0L, KPROBE_MULTI_OPTS.byteSize());
            KPROBE_MULTI_OPTS_SYMS.set(opts, 0L, syms);
            KPROBE_MULTI_OPTS_COOKIES.set(opts, 0L, arena.allocateFrom(JAVA_LONG, cookies));
            KPROBE_MULTI_OPTS_CNT.set(opts, 0L, (long) functions.size());
            MemorySegment capture = Native.captureSegment(arena);
            LibbpfLog.begin();
            MemorySegment link = Native.programAttachKprobeMultiOpts(capture, program, MemorySegment.NULL, opts);
            String what = name + " -> kprobe.multi/" + functions.size() + " functions (" + functions.getFirst()
                    + (functions.size() > 1 ? ", ..." : "") + ")";
            return new BpfLink(
                    Calls.checkPointer("bpf_program__attach_kprobe_multi_opts(" + what + ")", link, capture), what);
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
            Calls.check(
                    "bpf_program__set_attach_target(" + name + ", " + function + ")",
                    Native.programSetAttachTarget(program, 0, arena.allocateFrom(function)));
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
            MemorySegment link = Native.programAttachTrace(capture, program);
            String kind = section().split("/", 2)[0]; // "tp_btf/kfree_skb" -> tp_btf, "fentry" -> fentry
            String what = name + " -> " + kind + "/" + target;
            return new BpfLink(Calls.checkPointer("bpf_program__attach_trace(" + what + ")", link, capture), what);
        }
    }

    MemorySegment handle() {
        return program;
    }
}
