// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.bindings;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An opened (and later loaded) BPF ELF object. Closing it unloads its programs and frees its maps;
 * close every {@link BpfLink} and {@link RingBufferReader} made from it first.
 */
public final class BpfObject implements AutoCloseable {

    /** struct bpf_object_open_opts up to object_name: sz, object_name. libbpf accepts shorter opts. */
    private static final long OPEN_OPTS_SIZE = 16;

    private final Arena arena;
    private final MemorySegment object;
    private final String name;
    private final List<BpfProgram> programs;
    private boolean closed;

    private BpfObject(Arena arena, MemorySegment object, String name) {
        this.arena = arena;
        this.object = object;
        this.name = name;
        this.programs = listPrograms(object);
    }

    /** Parses an ELF object held in memory; nothing is loaded into the kernel yet. */
    public static BpfObject open(byte[] elf, String name) {
        LibbpfLog.install();
        // libelf reads the object in place: the bytes must live as long as the object
        Arena arena = Arena.ofShared();
        try {
            MemorySegment buffer = arena.allocateFrom(JAVA_BYTE, elf);
            MemorySegment opts = arena.allocate(OPEN_OPTS_SIZE, 8);
            opts.set(JAVA_LONG, 0, OPEN_OPTS_SIZE);
            opts.set(java.lang.foreign.ValueLayout.ADDRESS, 8, arena.allocateFrom(name));
            MemorySegment capture = Native.captureSegment(arena);
            LibbpfLog.begin();
            MemorySegment object = (MemorySegment) Native.OBJECT_OPEN_MEM.invokeExact(capture, buffer, (long) elf.length, opts);
            Calls.checkPointer("bpf_object__open_mem(" + name + ")", object, capture);
            return new BpfObject(arena, object, name);
        } catch (Throwable t) {
            arena.close();
            throw Calls.rethrow(t);
        }
    }

    public String name() {
        return name;
    }

    public List<BpfProgram> programs() {
        return programs;
    }

    public Optional<BpfMap> map(String mapName) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment map = (MemorySegment) Native.OBJECT_FIND_MAP.invokeExact(object, call.allocateFrom(mapName));
            return Native.isNull(map) ? Optional.empty() : Optional.of(new BpfMap(map));
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    /** The object's own BTF (types of its maps and global variables); valid while the object is open. */
    public Btf btf() {
        try {
            MemorySegment btf = (MemorySegment) Native.OBJECT_BTF.invokeExact(object);
            if (Native.isNull(btf)) {
                throw Calls.failure("bpf_object__btf(" + name + "): object has no BTF", Errno.ENOENT);
            }
            return new Btf(btf, false);
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    /**
     * Loads maps and programs into the kernel (the verifier runs here). On failure the exception
     * carries libbpf's log, which holds the verifier's explanation.
     */
    public void load() {
        try {
            LibbpfLog.begin();
            Calls.check("bpf_object__load(" + name + ")", (int) Native.OBJECT_LOAD.invokeExact(object));
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Calls.destroy(Native.OBJECT_CLOSE, object, arena);
    }

    private static List<BpfProgram> listPrograms(MemorySegment object) {
        List<BpfProgram> list = new ArrayList<>();
        try {
            MemorySegment program = MemorySegment.NULL;
            while (true) {
                program = (MemorySegment) Native.OBJECT_NEXT_PROGRAM.invokeExact(object, program);
                if (Native.isNull(program)) {
                    return List.copyOf(list);
                }
                list.add(new BpfProgram(program));
            }
        } catch (Throwable t) {
            throw Calls.rethrow(t);
        }
    }
}
