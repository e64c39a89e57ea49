// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import dev.packettrace.bindings.BpfMap;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Set;

/**
 * The kernel's set of traced network namespaces, kept equal to the set last given: the inodes in
 * pt_netns_filter, and their one-word summary in pt_netns_bits, which lets the probes reject most
 * untraced namespaces without a hash lookup (filter.h).
 */
final class NetnsFilterMap {

    private static final byte[] SUMMARY_KEY = u32(0);

    private final BpfMap set;
    private final BpfMap summary;
    private final boolean enabled;
    private final Set<Long> inodes = new HashSet<>();
    /** What pt_netns_bits holds; an array map starts zeroed. */
    private long summaryBits;

    /**
     * @param enabled whether the programs were loaded with the namespace filter on; without it they trace
     *                every namespace and the set cannot narrow them
     */
    NetnsFilterMap(BpfMap set, BpfMap summary, boolean enabled) {
        this.set = set;
        this.summary = summary;
        this.enabled = enabled;
    }

    synchronized void set(Set<Long> wanted) {
        if (!enabled && !wanted.isEmpty()) {
            throw new IllegalStateException("this session was started without a network namespace filter");
        }
        if (wanted.size() > TraceFilter.MAX_NETNS) {
            throw new IllegalArgumentException(
                    "at most " + TraceFilter.MAX_NETNS + " network namespaces, got " + wanted.size());
        }
        // while the set changes the summary covers old and new inodes, so no probe rejects an inode the
        // set holds; it narrows to the new set once the old inodes are gone
        writeSummary(summaryOf(inodes) | summaryOf(wanted));
        for (Long gone : Set.copyOf(inodes)) {
            if (!wanted.contains(gone)) {
                set.delete(u32(gone));
                inodes.remove(gone);
            }
        }
        for (Long inode : wanted) {
            if (inodes.add(inode)) {
                set.update(u32(inode), new byte[] {1});
            }
        }
        writeSummary(summaryOf(inodes));
    }

    /** Only when it changes: the superset equals the old or the new summary whenever the change adds or drops no bit. */
    private void writeSummary(long bits) {
        if (bits != summaryBits) {
            summary.update(
                    SUMMARY_KEY,
                    ByteBuffer.allocate(8)
                            .order(ByteOrder.LITTLE_ENDIAN)
                            .putLong(bits)
                            .array());
            summaryBits = bits;
        }
    }

    static long summaryOf(Set<Long> inodes) {
        long bits = 0;
        for (long inode : inodes) {
            bits |= 1L << bit(inode);
        }
        return bits;
    }

    /** filter.h's pt_netns_bit: the top 6 bits of the inode times 2654435761, in 32-bit arithmetic. */
    static int bit(long inode) {
        return (int) (inode * 2654435761L) >>> 26;
    }

    static byte[] u32(long value) {
        return ByteBuffer.allocate(4)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt((int) value)
                .array();
    }
}
