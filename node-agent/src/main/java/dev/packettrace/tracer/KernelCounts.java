// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import java.util.List;
import java.util.Optional;

/**
 * What the kernel counted of a trace's matched hits (bpf/include/counts.h), whether or not they became events.
 *
 * @param matched    hits that matched every filter
 * @param overBudget matched hits the per-second event budget kept from becoming events
 * @param uncounted  counts that found their kernel map full: the groups below miss that many
 * @param drops      drops per (namespace, reason, location)
 * @param hits       matched hits per (namespace, probe)
 */
public record KernelCounts(long matched, long overBudget, long uncounted, List<Drop> drops, List<Hits> hits) {

    public KernelCounts {
        drops = List.copyOf(drops);
        hits = List.copyOf(hits);
    }

    /**
     * @param reason   the skb_drop_reason name without its prefix ("NOT_SPECIFIED" when the kernel gave none)
     * @param location kfree_skb's caller as symbol+0xoffset, when known
     */
    public record Drop(long netns, String reason, Optional<String> location, long count) {}

    /** @param probe the tracepoint ("skb:kfree_skb") or kernel function ("ip_rcv") */
    public record Hits(long netns, String probe, long count) {}

    public long dropCount() {
        return drops.stream().mapToLong(Drop::count).sum();
    }

    /** Only the counts of the given namespaces: what one of several traces sharing a node's tracer saw. */
    public KernelCounts inNamespaces(java.util.Set<Long> netns) {
        List<Hits> mine = hits.stream().filter(h -> netns.contains(h.netns())).toList();
        return new KernelCounts(
                mine.stream().mapToLong(Hits::count).sum(),
                0,
                uncounted,
                drops.stream().filter(d -> netns.contains(d.netns())).toList(),
                mine);
    }
}
