// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.bindings;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A map inside a {@link BpfObject}; valid while the object is open. Keys and values are raw bytes. */
@SuppressWarnings("restricted") // see package-info
public final class BpfMap {

    private static final long BPF_ANY = 0;

    private final MemorySegment map;
    private final String name;

    BpfMap(MemorySegment map) {
        this.map = map;
        this.name = Native.string(Native.mapName(map)).orElse("");
    }

    public String name() {
        return name;
    }

    /**
     * Before load: makes this map the given (already loaded) map of another object instead of creating
     * its own, so that programs of several objects share it. libbpf keeps its own duplicate of the file
     * descriptor: closing either object does not affect the other.
     */
    public void reuse(BpfMap loaded) {
        LibbpfLog.begin();
        Calls.check("bpf_map__reuse_fd(" + name + ")", Native.mapReuseFd(map, loaded.fd()));
    }

    /** Before load: the map's capacity (for a ring buffer, its size in bytes). */
    public void setMaxEntries(int maxEntries) {
        LibbpfLog.begin();
        Calls.check(
                "bpf_map__set_max_entries(" + name + ", " + maxEntries + ")", Native.mapSetMaxEntries(map, maxEntries));
    }

    /** Before load: the initial contents of a global data section (.rodata, .data, .bss). */
    public byte[] initialValue() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment size = arena.allocate(JAVA_LONG);
            MemorySegment data = Native.mapInitialValue(map, size);
            if (Native.isNull(data)) {
                throw Calls.failure("bpf_map__initial_value(" + name + ")", Errno.EINVAL);
            }
            long length = size.get(JAVA_LONG, 0);
            return data.reinterpret(length).toArray(JAVA_BYTE);
        }
    }

    /** Before load: replaces the initial contents; the size must be the section's size. */
    public void setInitialValue(byte[] value) {
        try (Arena arena = Arena.ofConfined()) {
            LibbpfLog.begin();
            Calls.check(
                    "bpf_map__set_initial_value(" + name + ")",
                    Native.mapSetInitialValue(map, arena.allocateFrom(JAVA_BYTE, value), value.length));
        }
    }

    /** After load: inserts or replaces one element. */
    public void update(byte[] key, byte[] value) {
        try (Arena arena = Arena.ofConfined()) {
            LibbpfLog.begin();
            Calls.check(
                    "bpf_map__update_elem(" + name + ")",
                    Native.mapUpdateElem(
                            map,
                            arena.allocateFrom(JAVA_BYTE, key),
                            key.length,
                            arena.allocateFrom(JAVA_BYTE, value),
                            value.length,
                            BPF_ANY));
        }
    }

    /**
     * After load: the value under key, or empty when there is none. For per-CPU maps valueSize is
     * the per-CPU value size (rounded up to 8) times {@link #possibleCpus()}.
     */
    public Optional<byte[]> lookup(byte[] key, int valueSize) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(valueSize);
            LibbpfLog.begin();
            int rc = Native.mapLookupElem(map, arena.allocateFrom(JAVA_BYTE, key), key.length, value, valueSize, 0L);
            if (rc == -Errno.ENOENT) {
                return Optional.empty();
            }
            Calls.check("bpf_map__lookup_elem(" + name + ")", rc);
            return Optional.of(value.toArray(JAVA_BYTE));
        }
    }

    /** After load: a per-CPU map's u64 value under key, summed over the possible CPUs; 0 when there is none. */
    public long sumPerCpu(byte[] key) {
        int cpus = possibleCpus();
        return lookup(key, Long.BYTES * cpus)
                .map(bytes -> {
                    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
                    long sum = 0;
                    for (int i = 0; i < cpus; i++) {
                        sum += b.getLong(i * Long.BYTES);
                    }
                    return sum;
                })
                .orElse(0L);
    }

    /** After load: removes one element; returns false when it was not there. */
    public boolean delete(byte[] key) {
        try (Arena arena = Arena.ofConfined()) {
            LibbpfLog.begin();
            int rc = Native.mapDeleteElem(map, arena.allocateFrom(JAVA_BYTE, key), key.length, 0L);
            if (rc == -Errno.ENOENT) {
                return false;
            }
            Calls.check("bpf_map__delete_elem(" + name + ")", rc);
            return true;
        }
    }

    /**
     * After load: up to limit keys, in the kernel's order. Keys added or removed meanwhile may be missed or
     * seen twice, as the kernel's iteration allows; for a map's final contents read it once nothing writes to it.
     */
    public List<byte[]> keys(int keySize, int limit) {
        List<byte[]> keys = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment current = MemorySegment.NULL;
            MemorySegment next = arena.allocate(keySize);
            while (keys.size() < limit) {
                int rc = Native.mapGetNextKey(map, current, next, keySize);
                if (rc == -Errno.ENOENT) {
                    break;
                }
                Calls.check("bpf_map__get_next_key(" + name + ")", rc);
                keys.add(next.toArray(JAVA_BYTE));
                if (current == MemorySegment.NULL) {
                    current = arena.allocate(keySize);
                }
                current.copyFrom(next);
            }
            return keys;
        }
    }

    int fd() {
        return Calls.check("bpf_map__fd(" + name + ")", Native.mapFd(map));
    }

    /** CPUs the kernel may ever bring up, as libbpf counts them: the number of slots in a per-CPU map's value. */
    public static int possibleCpus() {
        return Calls.check("libbpf_num_possible_cpus", Native.numPossibleCpus());
    }
}
