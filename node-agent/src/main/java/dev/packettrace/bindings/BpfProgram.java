package dev.packettrace.bindings;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** A program inside a {@link BpfObject}; valid while the object is open. */
public final class BpfProgram {

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

    /** The ELF section, e.g. "raw_tracepoint/kfree_skb". */
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

    /** Attaches to a raw tracepoint (the event name without its group, e.g. "kfree_skb"). */
    public BpfLink attachRawTracepoint(String tracepoint) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = Native.captureSegment(arena);
            LibbpfLog.begin();
            MemorySegment link = (MemorySegment) Native.PROGRAM_ATTACH_RAW_TP.invokeExact(
                    capture, program, arena.allocateFrom(tracepoint));
            String what = name + " -> raw_tracepoint/" + tracepoint;
            return new BpfLink(Calls.checkPointer("bpf_program__attach_raw_tracepoint(" + what + ")", link, capture), what);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    MemorySegment handle() {
        return program;
    }
}
