// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import dev.packettrace.api.v1alpha1.DropGroup;
import dev.packettrace.api.v1alpha1.NodeReport;
import dev.packettrace.tracer.PacketEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One trace's counts on this node: events, drops, and drops grouped by (reason, kernel location). At most
 * {@link #maxGroups} groups are kept one by one; drops of further groups are still counted in the total,
 * so a flood of distinct locations cannot grow memory and nothing goes uncounted.
 */
final class TraceTally {

    static final int DEFAULT_MAX_GROUPS = 64;

    private final int maxGroups;
    private final Map<Key, long[]> groups = new HashMap<>();
    private long events;
    private long drops;

    TraceTally(int maxGroups) {
        if (maxGroups < 1) {
            throw new IllegalArgumentException("maxGroups must be at least 1, got " + maxGroups);
        }
        this.maxGroups = maxGroups;
    }

    /**
     * Continues from a report this node published earlier for the same trace (an agent that restarted):
     * reports carry cumulative counters, so starting from zero would make the trace's totals go backwards.
     */
    void seed(NodeReport previous) {
        events += previous.events();
        drops += previous.drops();
        for (DropGroup g : previous.dropsByReason()) {
            if (g.reason() != null && g.count() != null) {
                long[] c = counter(new Key(g.reason(), g.location() == null ? "" : g.location()));
                if (c != null) {
                    c[0] += g.count();
                }
            }
        }
    }

    void record(PacketEvent e) {
        events++;
        if (e.isDrop()) {
            drops++;
            long[] c =
                    counter(new Key(e.dropReason().orElseThrow(), e.location().orElse("")));
            if (c != null) {
                c[0]++;
            }
        }
    }

    /** Adds what the kernel counted for this trace: hits, and drops by (reason, location). */
    void add(long hits, List<dev.packettrace.tracer.KernelCounts.Drop> counted) {
        events += hits;
        for (dev.packettrace.tracer.KernelCounts.Drop d : counted) {
            drops += d.count();
            long[] c = counter(new Key(d.reason(), d.location().orElse("")));
            if (c != null) {
                c[0] += d.count();
            }
        }
    }

    long events() {
        return events;
    }

    long drops() {
        return drops;
    }

    int groupCount() {
        return groups.size();
    }

    /** The largest groups first, at most {@code limit}; a group without a location has none. */
    List<DropGroup> largestGroups(int limit) {
        List<Map.Entry<Key, long[]>> entries = new ArrayList<>(groups.entrySet());
        entries.sort(Comparator.comparingLong((Map.Entry<Key, long[]> e) -> e.getValue()[0])
                .reversed()
                .thenComparing(e -> e.getKey().reason())
                .thenComparing(e -> e.getKey().location()));
        return entries.stream()
                .limit(limit)
                .map(e -> new DropGroup(
                        e.getKey().reason(),
                        e.getKey().location().isEmpty() ? null : e.getKey().location(),
                        e.getValue()[0],
                        null))
                .toList();
    }

    private long[] counter(Key key) {
        long[] c = groups.get(key);
        if (c == null && groups.size() < maxGroups) {
            c = new long[1];
            groups.put(key, c);
        }
        return c;
    }

    private record Key(String reason, String location) {}
}
