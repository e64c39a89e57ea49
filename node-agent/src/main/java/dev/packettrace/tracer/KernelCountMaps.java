// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import dev.packettrace.bindings.BpfMap;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Reads the kernel's per-CPU count maps (bpf/include/counts.h) into {@link KernelCounts}, summing each key's
 * per-CPU values and naming reasons, locations and probes as events are named.
 */
final class KernelCountMaps {

    static final String DROPS = "pt_drop_counts";
    static final String PROBES = "pt_probe_counts";
    static final String BUDGET = "pt_event_budget";
    // struct pt_drop_key {u32 netns; u32 reason; u64 location}, struct pt_probe_key {u32 netns; u32 probe}
    static final int DROP_KEY_SIZE = 16;
    static final int PROBE_KEY_SIZE = 8;
    // the maps' max_entries: no read returns more keys than a map can hold
    static final int MAX_DROP_GROUPS = 4096;
    static final int MAX_PROBE_GROUPS = 8192;
    /** PT_NO_REASON: the kernel gave the drop no reason. */
    static final long NO_REASON = 0xffff_ffffL;

    private final BpfMap drops;
    private final BpfMap probes;
    private final EventDecoder names;

    KernelCountMaps(BpfMap drops, BpfMap probes, EventDecoder names) {
        this.drops = drops;
        this.probes = probes;
        this.names = names;
    }

    KernelCounts read(long matched, long overBudget, long uncounted) {
        List<KernelCounts.Drop> dropGroups = new ArrayList<>();
        for (byte[] key : drops.keys(DROP_KEY_SIZE, MAX_DROP_GROUPS)) {
            ByteBuffer k = ByteBuffer.wrap(key).order(ByteOrder.LITTLE_ENDIAN);
            long reason = Integer.toUnsignedLong(k.getInt(4));
            long count = drops.sumPerCpu(key); // 0 when it went away since it was listed
            if (count > 0) {
                dropGroups.add(new KernelCounts.Drop(
                        Integer.toUnsignedLong(k.getInt(0)),
                        names.dropReasonName(reason == NO_REASON ? OptionalLong.empty() : OptionalLong.of(reason)),
                        names.locationName(k.getLong(8)),
                        count));
            }
        }
        List<KernelCounts.Hits> hits = new ArrayList<>();
        for (byte[] key : probes.keys(PROBE_KEY_SIZE, MAX_PROBE_GROUPS)) {
            ByteBuffer k = ByteBuffer.wrap(key).order(ByteOrder.LITTLE_ENDIAN);
            int probe = k.getInt(4);
            long count = probes.sumPerCpu(key);
            if (count > 0) {
                hits.add(new KernelCounts.Hits(
                        Integer.toUnsignedLong(k.getInt(0)),
                        names.probeName(probe >>> 24, probe & 0xff_ffff, 0),
                        count));
            }
        }
        return new KernelCounts(matched, overBudget, uncounted, dropGroups, hits);
    }
}
