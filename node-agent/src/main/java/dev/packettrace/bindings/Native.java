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
 * The downcall handles, one per native function used, each behind one typed method. Functions returning a
 * pointer capture errno (their first argument is then the capture segment).
 *
 * <p>The handles stay private so that the rest of the package never sees a MethodHandle's
 * {@code throws Throwable}: a typed method is checked by the compiler where a mistyped invokeExact would
 * only fail at run time, and the Throwable is turned into an unchecked exception here, once.
 */
@SuppressWarnings("restricted") // see package-info
final class Native {

    static final String LIBBPF_SONAME = "libbpf.so.1";
    static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final SymbolLookup LIBBPF = loadLibbpf();

    private static final StructLayoutHolder CAPTURE = new StructLayoutHolder();

    // libc
    private static final MethodHandle STRERROR = libc("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    private static final MethodHandle VSNPRINTF =
            libc("vsnprintf", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));

    // libbpf: logging and system facts
    private static final MethodHandle SET_PRINT = bpf("libbpf_set_print", FunctionDescriptor.of(ADDRESS, ADDRESS));
    private static final MethodHandle NUM_POSSIBLE_CPUS =
            bpf("libbpf_num_possible_cpus", FunctionDescriptor.of(JAVA_INT));

    // objects
    private static final MethodHandle OBJECT_OPEN_MEM =
            bpfErrno("bpf_object__open_mem", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle OBJECT_LOAD = bpf("bpf_object__load", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle OBJECT_CLOSE = bpf("bpf_object__close", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle OBJECT_BTF = bpf("bpf_object__btf", FunctionDescriptor.of(ADDRESS, ADDRESS));
    private static final MethodHandle OBJECT_NEXT_PROGRAM =
            bpf("bpf_object__next_program", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle OBJECT_FIND_MAP =
            bpf("bpf_object__find_map_by_name", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));

    // programs
    private static final MethodHandle PROGRAM_NAME = bpf("bpf_program__name", FunctionDescriptor.of(ADDRESS, ADDRESS));
    private static final MethodHandle PROGRAM_SECTION =
            bpf("bpf_program__section_name", FunctionDescriptor.of(ADDRESS, ADDRESS));
    private static final MethodHandle PROGRAM_SET_AUTOLOAD =
            bpf("bpf_program__set_autoload", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_BOOLEAN));
    private static final MethodHandle PROGRAM_AUTOLOAD =
            bpf("bpf_program__autoload", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
    private static final MethodHandle PROGRAM_FD = bpf("bpf_program__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle PROGRAM_ATTACH_KPROBE_OPTS =
            bpfErrno("bpf_program__attach_kprobe_opts", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle PROGRAM_ATTACH_KPROBE_MULTI_OPTS = bpfErrno(
            "bpf_program__attach_kprobe_multi_opts", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle PROGRAM_SET_ATTACH_TARGET =
            bpf("bpf_program__set_attach_target", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
    private static final MethodHandle PROGRAM_ATTACH_TRACE =
            bpfErrno("bpf_program__attach_trace", FunctionDescriptor.of(ADDRESS, ADDRESS));
    private static final MethodHandle LINK_DESTROY = bpf("bpf_link__destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle OBJ_GET_INFO_BY_FD =
            bpf("bpf_obj_get_info_by_fd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));

    // maps
    private static final MethodHandle MAP_NAME = bpf("bpf_map__name", FunctionDescriptor.of(ADDRESS, ADDRESS));
    private static final MethodHandle MAP_FD = bpf("bpf_map__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle MAP_REUSE_FD =
            bpf("bpf_map__reuse_fd", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle MAP_SET_MAX_ENTRIES =
            bpf("bpf_map__set_max_entries", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle MAP_INITIAL_VALUE =
            bpf("bpf_map__initial_value", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle MAP_SET_INITIAL_VALUE =
            bpf("bpf_map__set_initial_value", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle MAP_LOOKUP_ELEM = bpf(
            "bpf_map__lookup_elem",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle MAP_UPDATE_ELEM = bpf(
            "bpf_map__update_elem",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle MAP_DELETE_ELEM =
            bpf("bpf_map__delete_elem", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle MAP_GET_NEXT_KEY =
            bpf("bpf_map__get_next_key", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));

    // ring buffer
    private static final MethodHandle RING_BUFFER_NEW =
            bpfErrno("ring_buffer__new", FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle RING_BUFFER_POLL =
            bpf("ring_buffer__poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RING_BUFFER_CONSUME =
            bpf("ring_buffer__consume", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle RING_BUFFER_FREE = bpf("ring_buffer__free", FunctionDescriptor.ofVoid(ADDRESS));

    // BTF
    private static final MethodHandle BTF_LOAD_VMLINUX =
            bpfErrno("btf__load_vmlinux_btf", FunctionDescriptor.of(ADDRESS));
    private static final MethodHandle BTF_FREE = bpf("btf__free", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle BTF_FIND_BY_NAME_KIND =
            bpf("btf__find_by_name_kind", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle BTF_TYPE_CNT = bpf("btf__type_cnt", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle BTF_TYPE_BY_ID =
            bpf("btf__type_by_id", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle BTF_NAME_BY_OFFSET =
            bpf("btf__name_by_offset", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));

    private Native() {}

    // libc

    static MemorySegment strerror(int errno) {
        try {
            return (MemorySegment) STRERROR.invokeExact(errno);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    static int vsnprintf(MemorySegment buffer, long size, MemorySegment format, MemorySegment vaList) {
        try {
            return (int) VSNPRINTF.invokeExact(buffer, size, format, vaList);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    // libbpf: logging and system facts

    static MemorySegment setPrint(MemorySegment callback) {
        try {
            return (MemorySegment) SET_PRINT.invokeExact(callback);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    static int numPossibleCpus() {
        try {
            return (int) NUM_POSSIBLE_CPUS.invokeExact();
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    // objects

    static MemorySegment objectOpenMem(MemorySegment capture, MemorySegment buffer, long size, MemorySegment opts) {
        try {
            return (MemorySegment) OBJECT_OPEN_MEM.invokeExact(capture, buffer, size, opts);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    static int objectLoad(MemorySegment object) {
        try {
            return (int) OBJECT_LOAD.invokeExact(object);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    static void objectClose(MemorySegment object) {
        try {
            OBJECT_CLOSE.invokeExact(object);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    static MemorySegment objectBtf(MemorySegment object) {
        try {
            return (MemorySegment) OBJECT_BTF.invokeExact(object);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    static MemorySegment objectNextProgram(MemorySegment object, MemorySegment previous) {
        try {
            return (MemorySegment) OBJECT_NEXT_PROGRAM.invokeExact(object, previous);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    static MemorySegment objectFindMapByName(MemorySegment object, MemorySegment name) {
        try {
            return (MemorySegment) OBJECT_FIND_MAP.invokeExact(object, name);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    // programs

    static MemorySegment programName(MemorySegment program) {
        try {
            return (MemorySegment) PROGRAM_NAME.invokeExact(program);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    static MemorySegment programSectionName(MemorySegment program) {
        try {
            return (MemorySegment) PROGRAM_SECTION.invokeExact(program);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    static int programSetAutoload(MemorySegment program, boolean autoload) {
        try {
            return (int) PROGRAM_SET_AUTOLOAD.invokeExact(program, autoload);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    static boolean programAutoload(MemorySegment program) {
        try {
            return (boolean) PROGRAM_AUTOLOAD.invokeExact(program);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    static int programFd(MemorySegment program) {
        try {
            return (int) PROGRAM_FD.invokeExact(program);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    static MemorySegment programAttachKprobeOpts(
            MemorySegment capture, MemorySegment program, MemorySegment function, MemorySegment opts) {
        try {
            return (MemorySegment) PROGRAM_ATTACH_KPROBE_OPTS.invokeExact(capture, program, function, opts);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    static MemorySegment programAttachKprobeMultiOpts(
            MemorySegment capture, MemorySegment program, MemorySegment pattern, MemorySegment opts) {
        try {
            return (MemorySegment) PROGRAM_ATTACH_KPROBE_MULTI_OPTS.invokeExact(capture, program, pattern, opts);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    static int programSetAttachTarget(MemorySegment program, int attachProgFd, MemorySegment function) {
        try {
            return (int) PROGRAM_SET_ATTACH_TARGET.invokeExact(program, attachProgFd, function);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    static MemorySegment programAttachTrace(MemorySegment capture, MemorySegment program) {
        try {
            return (MemorySegment) PROGRAM_ATTACH_TRACE.invokeExact(capture, program);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    static int linkDestroy(MemorySegment link) {
        try {
            return (int) LINK_DESTROY.invokeExact(link);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    static int objGetInfoByFd(int fd, MemorySegment info, MemorySegment infoLength) {
        try {
            return (int) OBJ_GET_INFO_BY_FD.invokeExact(fd, info, infoLength);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    // maps

    static MemorySegment mapName(MemorySegment map) {
        try {
            return (MemorySegment) MAP_NAME.invokeExact(map);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    static int mapFd(MemorySegment map) {
        try {
            return (int) MAP_FD.invokeExact(map);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    static int mapReuseFd(MemorySegment map, int fd) {
        try {
            return (int) MAP_REUSE_FD.invokeExact(map, fd);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    static int mapSetMaxEntries(MemorySegment map, int maxEntries) {
        try {
            return (int) MAP_SET_MAX_ENTRIES.invokeExact(map, maxEntries);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    static MemorySegment mapInitialValue(MemorySegment map, MemorySegment size) {
        try {
            return (MemorySegment) MAP_INITIAL_VALUE.invokeExact(map, size);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    static int mapSetInitialValue(MemorySegment map, MemorySegment data, long size) {
        try {
            return (int) MAP_SET_INITIAL_VALUE.invokeExact(map, data, size);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    static int mapLookupElem(
            MemorySegment map, MemorySegment key, long keySize, MemorySegment value, long valueSize, long flags) {
        try {
            return (int) MAP_LOOKUP_ELEM.invokeExact(map, key, keySize, value, valueSize, flags);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    static int mapUpdateElem(
            MemorySegment map, MemorySegment key, long keySize, MemorySegment value, long valueSize, long flags) {
        try {
            return (int) MAP_UPDATE_ELEM.invokeExact(map, key, keySize, value, valueSize, flags);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    static int mapDeleteElem(MemorySegment map, MemorySegment key, long keySize, long flags) {
        try {
            return (int) MAP_DELETE_ELEM.invokeExact(map, key, keySize, flags);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    static int mapGetNextKey(MemorySegment map, MemorySegment currentKey, MemorySegment nextKey, long keySize) {
        try {
            return (int) MAP_GET_NEXT_KEY.invokeExact(map, currentKey, nextKey, keySize);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    // ring buffer

    static MemorySegment ringBufferNew(
            MemorySegment capture, int mapFd, MemorySegment sampleCallback, MemorySegment context, MemorySegment opts) {
        try {
            return (MemorySegment) RING_BUFFER_NEW.invokeExact(capture, mapFd, sampleCallback, context, opts);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    static int ringBufferPoll(MemorySegment ringBuffer, int timeoutMillis) {
        try {
            return (int) RING_BUFFER_POLL.invokeExact(ringBuffer, timeoutMillis);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    static int ringBufferConsume(MemorySegment ringBuffer) {
        try {
            return (int) RING_BUFFER_CONSUME.invokeExact(ringBuffer);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    static void ringBufferFree(MemorySegment ringBuffer) {
        try {
            RING_BUFFER_FREE.invokeExact(ringBuffer);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    // BTF

    static MemorySegment btfLoadVmlinux(MemorySegment capture) {
        try {
            return (MemorySegment) BTF_LOAD_VMLINUX.invokeExact(capture);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    static void btfFree(MemorySegment btf) {
        try {
            BTF_FREE.invokeExact(btf);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    static int btfFindByNameKind(MemorySegment btf, MemorySegment name, int kind) {
        try {
            return (int) BTF_FIND_BY_NAME_KIND.invokeExact(btf, name, kind);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    static int btfTypeCnt(MemorySegment btf) {
        try {
            return (int) BTF_TYPE_CNT.invokeExact(btf);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    static MemorySegment btfTypeById(MemorySegment btf, int id) {
        try {
            return (MemorySegment) BTF_TYPE_BY_ID.invokeExact(btf, id);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    static MemorySegment btfNameByOffset(MemorySegment btf, int offset) {
        try {
            return (MemorySegment) BTF_NAME_BY_OFFSET.invokeExact(btf, offset);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
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
            throw new UnsatisfiedLinkError(
                    LIBBPF_SONAME + " not found: install libbpf 1.x (Debian/Ubuntu package libbpf1, "
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
        return LIBBPF.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError(
                        "libbpf.so.1 has no symbol " + name + ": packettrace needs libbpf 1.1 or newer"));
    }

    private static final class StructLayoutHolder {
        final MemoryLayout layout = Linker.Option.captureStateLayout();
        final VarHandle errno = layout.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    }
}
