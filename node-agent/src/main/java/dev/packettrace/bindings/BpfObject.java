// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.bindings;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An opened (and later loaded) BPF ELF object. Closing it unloads its programs and frees its maps;
 * close every {@link BpfLink} and {@link RingBufferReader} made from it first.
 */
public final class BpfObject implements AutoCloseable {

    /**
     * libbpf's struct bpf_object_open_opts (libbpf.h), only its first two members. libbpf reads sz bytes
     * and takes the members past them as zero, so this prefix means the same to every libbpf 1.x, whatever
     * members later versions append.
     */
    private static final StructLayout OPEN_OPTS = MemoryLayout.structLayout(
                    JAVA_LONG.withName("sz"), // size_t
                    ADDRESS.withName("object_name"))
            .withName("bpf_object_open_opts");

    private static final VarHandle OPEN_OPTS_SZ = OPEN_OPTS.varHandle(PathElement.groupElement("sz"));
    private static final VarHandle OPEN_OPTS_OBJECT_NAME = OPEN_OPTS.varHandle(PathElement.groupElement("object_name"));

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
            MemorySegment opts = arena.allocate(OPEN_OPTS);
            OPEN_OPTS_SZ.set(opts, 0L, OPEN_OPTS.byteSize());
            OPEN_OPTS_OBJECT_NAME.set(opts, 0L, arena.allocateFrom(name));
            MemorySegment capture = Native.captureSegment(arena);
            LibbpfLog.begin();
            MemorySegment object = Native.objectOpenMem(capture, buffer, elf.length, opts);
            Calls.checkPointer("bpf_object__open_mem(" + name + ")", object, capture);
            return new BpfObject(arena, object, name);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
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
            MemorySegment map = Native.objectFindMapByName(object, call.allocateFrom(mapName));
            return Native.isNull(map) ? Optional.empty() : Optional.of(new BpfMap(map));
        }
    }

    /** The object's own BTF (types of its maps and global variables); valid while the object is open. */
    public Btf btf() {
        MemorySegment btf = Native.objectBtf(object);
        if (Native.isNull(btf)) {
            throw Calls.failure("bpf_object__btf(" + name + "): object has no BTF", Errno.ENOENT);
        }
        return new Btf(btf, false);
    }

    /**
     * Loads maps and programs into the kernel (the verifier runs here). On failure the exception
     * carries libbpf's log, which holds the verifier's explanation.
     */
    public void load() {
        LibbpfLog.begin();
        Calls.check("bpf_object__load(" + name + ")", Native.objectLoad(object));
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Calls.destroy(Native::objectClose, object, arena);
    }

    private static List<BpfProgram> listPrograms(MemorySegment object) {
        List<BpfProgram> list = new ArrayList<>();
        MemorySegment program = MemorySegment.NULL;
        while (true) {
            program = Native.objectNextProgram(object, program);
            if (Native.isNull(program)) {
                return List.copyOf(list);
            }
            list.add(new BpfProgram(program));
        }
    }
}
