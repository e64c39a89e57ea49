package dev.packettrace.tracer;

import dev.packettrace.bindings.BpfMap;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Set;

/** The kernel's set of traced network namespaces (pt_netns_filter), kept equal to the set last given. */
final class NetnsFilterMap {

    private final BpfMap map;
    private final boolean enabled;
    private final Set<Long> inodes = new HashSet<>();

    /**
     * @param enabled whether the programs were loaded with the namespace filter on; without it they trace
     *                every namespace and the set cannot narrow them
     */
    NetnsFilterMap(BpfMap map, boolean enabled) {
        this.map = map;
        this.enabled = enabled;
    }

    synchronized void set(Set<Long> wanted) {
        if (!enabled && !wanted.isEmpty()) {
            throw new IllegalStateException("this session was started without a network namespace filter");
        }
        if (wanted.size() > TraceFilter.MAX_NETNS) {
            throw new IllegalArgumentException("at most " + TraceFilter.MAX_NETNS + " network namespaces, got " + wanted.size());
        }
        for (Long gone : Set.copyOf(inodes)) {
            if (!wanted.contains(gone)) {
                map.delete(u32(gone));
                inodes.remove(gone);
            }
        }
        for (Long inode : wanted) {
            if (inodes.add(inode)) {
                map.update(u32(inode), new byte[] {1});
            }
        }
    }

    static byte[] u32(long value) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) value).array();
    }
}
