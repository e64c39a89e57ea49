// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import dev.packettrace.tracer.KernelCounts;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns one tracer's cumulative kernel counts into what was added since the previous read, so the traces that
 * share the tracer can each add their namespaces' share to their own running totals (which outlive the tracer:
 * a restart starts the kernel's counts from zero, and a new instance of this class with it). At most one entry
 * per kernel map key is kept, so memory is bounded by the maps' sizes.
 */
final class KernelCountDeltas {

    private final Map<List<Object>, Long> drops = new HashMap<>();
    private final Map<List<Object>, Long> hits = new HashMap<>();
    private long matched;

    /** What the kernel counted since the previous call. */
    KernelCounts since(KernelCounts now) {
        List<KernelCounts.Drop> newDrops = new ArrayList<>();
        for (KernelCounts.Drop d : now.drops()) {
            long added =
                    added(drops, List.of(d.netns(), d.reason(), d.location().orElse("")), d.count());
            if (added > 0) {
                newDrops.add(new KernelCounts.Drop(d.netns(), d.reason(), d.location(), added));
            }
        }
        List<KernelCounts.Hits> newHits = new ArrayList<>();
        for (KernelCounts.Hits h : now.hits()) {
            long added = added(hits, List.of(h.netns(), h.probe()), h.count());
            if (added > 0) {
                newHits.add(new KernelCounts.Hits(h.netns(), h.probe(), added));
            }
        }
        long newMatched = Math.max(0, now.matched() - matched);
        matched = Math.max(matched, now.matched());
        return new KernelCounts(newMatched, 0, now.uncounted(), newDrops, newHits);
    }

    /** As {@link #since}, for a tracer that may have no counts. */
    Optional<KernelCounts> since(Optional<KernelCounts> now) {
        return now.map(this::since);
    }

    private static long added(Map<List<Object>, Long> seen, List<Object> key, long count) {
        long before = seen.getOrDefault(key, 0L);
        if (count > before) {
            seen.put(key, count);
            return count - before;
        }
        return 0;
    }
}
