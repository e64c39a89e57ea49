// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.bindings;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Optional;

/**
 * The downcall handles, one per native function used. Functions returning a pointer capture errno
 * (their first argument is then the capture segment).
 */
final class Native {

    static final String LIBBPF_SONAME = "libbpf.so.1";
    static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final SymbolLookup LIBBPF = loadLibbpf();

    private static final StructLayoutHolder CAPTURE = new StructLayoutHolder();

    // libc
    static final MethodHandle STRERROR = libc("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    static final MethodHandle VSNPRINTF = libc("vsnprintf",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));

    // libbpf: logging and system facts
    static final MethodHandle SET_PRINT = bpf("libbpf_set_print", FunctionDescriptor.of(ADDRESS, ADDRESS));
    static final MethodHandle NUM_POSSIBLE_CPUS = bpf("libbpf_num_possible_cpus", FunctionDescriptor.of(JAVA_INT));

    // objects
    static final MethodHandle OBJECT_OPEN_MEM = bpfErrno("bpf_object__open_mem",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    static final MethodHandle OBJECT_LOAD = bpf("bpf_object__load", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle OBJECT_CLOSE = bpf("bpf_object__close", FunctionDescriptor.ofVoid(ADDRESS));
    static final MethodHandle OBJECT_BTF = bpf("bpf_object__btf", FunctionDescriptor.of(ADDRESS, ADDRESS));
    static final MethodHandle OBJECT_NEXT_PROGRAM = bpf("bpf_object__next_program",
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle OBJECT_FIND_MAP = bpf("bpf_object__find_map_by_name",
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));

    // programs
    static final MethodHandle PROGRAM_NAME = bpf("bpf_program__name", FunctionDescriptor.of(ADDRESS, ADDRESS));
    static final MethodHandle PROGRAM_SECTION = bpf("bpf_program__section_name", FunctionDescriptor.of(ADDRESS, ADDRESS));
    static final MethodHandle PROGRAM_SET_AUTOLOAD = bpf("bpf_program__set_autoload",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_BOOLEAN));
    static final MethodHandle PROGRAM_AUTOLOAD = bpf("bpf_program__autoload", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
    static final MethodHandle PROGRAM_FD = bpf("bpf_program__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle PROGRAM_ATTACH_KPROBE_OPTS = bpfErrno("bpf_program__attach_kprobe_opts",
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle PROGRAM_ATTACH_KPROBE_MULTI_OPTS = bpfErrno("bpf_program__attach_kprobe_multi_opts",
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle PROGRAM_SET_ATTACH_TARGET = bpf("bpf_program__set_attach_target",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
    static final MethodHandle PROGRAM_ATTACH_TRACE = bpfErrno("bpf_program__attach_trace",
            FunctionDescriptor.of(ADDRESS, ADDRESS));
    static final MethodHandle LINK_DESTROY = bpf("bpf_link__destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle OBJ_GET_INFO_BY_FD = bpf("bpf_obj_get_info_by_fd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));

    // maps
    static final MethodHandle MAP_NAME = bpf("bpf_map__name", FunctionDescriptor.of(ADDRESS, ADDRESS));
    static final MethodHandle MAP_FD = bpf("bpf_map__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle MAP_REUSE_FD = bpf("bpf_map__reuse_fd", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle MAP_SET_MAX_ENTRIES = bpf("bpf_map__set_max_entries",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle MAP_INITIAL_VALUE = bpf("bpf_map__initial_value",
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle MAP_SET_INITIAL_VALUE = bpf("bpf_map__set_initial_value",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    static final MethodHandle MAP_LOOKUP_ELEM = bpf("bpf_map__lookup_elem",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG));
    static final MethodHandle MAP_UPDATE_ELEM = bpf("bpf_map__update_elem",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG));
    static final MethodHandle MAP_DELETE_ELEM = bpf("bpf_map__delete_elem",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG));
    static final MethodHandle MAP_GET_NEXT_KEY = bpf("bpf_map__get_next_key",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));

    // ring buffer
    static final MethodHandle RING_BUFFER_NEW = bpfErrno("ring_buffer__new",
            FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle RING_BUFFER_POLL = bpf("ring_buffer__poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle RING_BUFFER_CONSUME = bpf("ring_buffer__consume", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle RING_BUFFER_FREE = bpf("ring_buffer__free", FunctionDescriptor.ofVoid(ADDRESS));

    // BTF
    static final MethodHandle BTF_LOAD_VMLINUX = bpfErrno("btf__load_vmlinux_btf", FunctionDescriptor.of(ADDRESS));
    static final MethodHandle BTF_FREE = bpf("btf__free", FunctionDescriptor.ofVoid(ADDRESS));
    static final MethodHandle BTF_FIND_BY_NAME_KIND = bpf("btf__find_by_name_kind",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    static final MethodHandle BTF_TYPE_CNT = bpf("btf__type_cnt", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle BTF_TYPE_BY_ID = bpf("btf__type_by_id", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
    static final MethodHandle BTF_NAME_BY_OFFSET = bpf("btf__name_by_offset",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));

    private Native() {
    }

    /** A fresh errno capture segment for one call, allocated in the caller's arena. */
    static MemorySegment captureSegment(Arena arena) {
        return arena.allocate(CAPTURE.layout);
    }

    static int capturedErrno(MemorySegment capture) {
        return (int) CAPTURE.errno.get(capture, 0L);
    }

    /** A NUL-terminated C string as a Java string; empty for NULL. */
    static Optional<String> string(MemorySegment pointer) {
        if (pointer.equals(MemorySegment.NULL)) {
            return Optional.empty();
        }
        return Optional.of(pointer.reinterpret(Integer.MAX_VALUE).getString(0));
    }

    static boolean isNull(MemorySegment pointer) {
        return pointer.equals(MemorySegment.NULL);
    }

    private static SymbolLookup loadLibbpf() {
        try {
            return SymbolLookup.libraryLookup(LIBBPF_SONAME, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new UnsatisfiedLinkError(LIBBPF_SONAME + " not found: install libbpf 1.x (Debian/Ubuntu package libbpf1, "
                    + "Fedora libbpf) (" + e.getMessage() + ")");
        }
    }

    private static MethodHandle libc(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LIBC.findOrThrow(name), descriptor);
    }

    private static MethodHandle bpf(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(find(name), descriptor);
    }

    private static MethodHandle bpfErrno(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(find(name), descriptor, Linker.Option.captureCallState("errno"));
    }

    private static MemorySegment find(String name) {
        return LIBBPF.find(name).orElseThrow(() -> new UnsatisfiedLinkError(
                "libbpf.so.1 has no symbol " + name + ": packettrace needs libbpf 1.1 or newer"));
    }

    private static final class StructLayoutHolder {
        final MemoryLayout layout = Linker.Option.captureStateLayout();
        final VarHandle errno = layout.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    }
}
