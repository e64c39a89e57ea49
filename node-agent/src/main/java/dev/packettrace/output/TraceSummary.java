// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.output;

import dev.packettrace.tracer.KernelCounts;
import dev.packettrace.tracer.PacketEvent;
import dev.packettrace.tracer.TraceStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Counts what a trace run saw: events, drops grouped by (reason, location), and events per network namespace.
 * Memory is bounded: at most {@code maxDropGroups} groups and {@code maxNetns} namespaces are tracked one by one;
 * anything beyond is counted in an "other" bucket that the report shows, so nothing goes uncounted.
 * Not thread-safe: fed from the polling thread.
 */
public final class TraceSummary {

    public static final int DEFAULT_MAX_DROP_GROUPS = 256;
    public static final int DEFAULT_MAX_NETNS = 1024;
    /** Probes are counted one by one up to this many (a function backend attaches a few thousand). */
    public static final int MAX_PROBES = 8192;

    private final int maxDropGroups;
    private final int maxNetns;
    private final Map<DropKey, long[]> drops = new HashMap<>();
    private final Map<Long, long[]> netns = new HashMap<>();
    private final Map<String, long[]> probes = new HashMap<>();
    private long events;
    private long dropCount;
    private long otherDrops;
    private long otherNetnsEvents;
    private long otherProbeEvents;
    // Consecutive events usually share a namespace: skip the map (and the boxing) for them.
    private long lastNetns;
    private long[] lastNetnsCounter;

    public TraceSummary() {
        this(DEFAULT_MAX_DROP_GROUPS, DEFAULT_MAX_NETNS);
    }

    public TraceSummary(int maxDropGroups, int maxNetns) {
        if (maxDropGroups < 1 || maxNetns < 1) {
            throw new IllegalArgumentException("summary caps must be at least 1, got drop groups " + maxDropGroups
                    + " and namespaces " + maxNetns);
        }
        this.maxDropGroups = maxDropGroups;
        this.maxNetns = maxNetns;
    }

    public void record(PacketEvent e) {
        events++;
        countNetns(e.netns());
        countProbe(e.probe());
        if (e.isDrop()) {
            dropCount++;
            DropKey key = new DropKey(e.dropReason().orElseThrow(), e.location().orElse(""));
            if (!add(drops, key, 1, maxDropGroups)) {
                otherDrops++;
            }
        }
    }

    /**
     * Adds n to key's counter, creating it while the map holds fewer than cap keys; false when the key did not fit
     * (the caller counts it in its "other" bucket).
     */
    private static <K> boolean add(Map<K, long[]> counters, K key, long n, int cap) {
        long[] counter = counterOf(counters, key, cap);
        if (counter == null) {
            return false;
        }
        counter[0] += n;
        return true;
    }

    /** key's counter, created while the map holds fewer than cap keys; null when it does not fit. */
    private static <K> long[] counterOf(Map<K, long[]> counters, K key, int cap) {
        long[] counter = counters.get(key);
        if (counter == null && counters.size() < cap) {
            counter = new long[1];
            counters.put(key, counter);
        }
        return counter;
    }

    private void countNetns(long inode) {
        if (lastNetnsCounter != null && inode == lastNetns) {
            lastNetnsCounter[0]++;
            return;
        }
        long[] counter = counterOf(netns, inode, maxNetns);
        if (counter == null) {
            otherNetnsEvents++;
            return;
        }
        counter[0]++;
        lastNetns = inode;
        lastNetnsCounter = counter;
    }

    private void countProbe(String probe) {
        if (!add(probes, probe, 1, MAX_PROBES)) {
            otherProbeEvents++;
        }
    }

    public long events() {
        return events;
    }

    /** An immutable view of the counts so far, largest groups first. */
    public Report report(long printed, TraceStats stats, StopReason stoppedBy, Duration elapsed) {
        return new Report(
                events,
                printed,
                stats.lost(),
                dropCount,
                dropGroups(drops),
                otherDrops,
                netnsCounts(netns),
                otherNetnsEvents,
                stoppedBy,
                elapsed,
                stats.overBudget(),
                probeCounts(probes),
                otherProbeEvents,
                false);
    }

    /**
     * The report of a trace whose summary comes from the kernel's counts, since not every matched hit became an
     * event: drops merged over namespaces into (reason, location) groups, hits per namespace and per probe, under
     * this summary's caps. The events this summary recorded are not used.
     */
    public Report report(KernelCounts counts, long printed, TraceStats stats, StopReason stoppedBy, Duration elapsed) {
        Map<DropKey, long[]> groups = new HashMap<>();
        long beyond = 0;
        for (KernelCounts.Drop d : counts.drops()) {
            if (!add(groups, new DropKey(d.reason(), d.location().orElse("")), d.count(), maxDropGroups)) {
                beyond += d.count();
            }
        }
        Map<Long, long[]> perNetns = new HashMap<>();
        Map<String, long[]> perProbe = new HashMap<>();
        long otherNetns = 0;
        long otherProbes = 0;
        for (KernelCounts.Hits h : counts.hits()) {
            if (!add(perNetns, h.netns(), h.count(), maxNetns)) {
                otherNetns += h.count();
            }
            if (!add(perProbe, h.probe(), h.count(), MAX_PROBES)) {
                otherProbes += h.count();
            }
        }
        return new Report(
                counts.matched(),
                printed,
                stats.lost(),
                counts.dropCount(),
                dropGroups(groups),
                beyond,
                netnsCounts(perNetns),
                otherNetns,
                stoppedBy,
                elapsed,
                counts.overBudget(),
                probeCounts(perProbe),
                otherProbes,
                true);
    }

    private static List<DropGroup> dropGroups(Map<DropKey, long[]> drops) {
        List<DropGroup> groups = new ArrayList<>(drops.size());
        drops.forEach((k, v) -> groups.add(new DropGroup(
                k.reason(), k.location().isEmpty() ? Optional.empty() : Optional.of(k.location()), v[0])));
        groups.sort(Comparator.comparingLong(DropGroup::count)
                .reversed()
                .thenComparing(DropGroup::reason)
                .thenComparing(g -> g.location().orElse("")));
        return groups;
    }

    private static List<NetnsCount> netnsCounts(Map<Long, long[]> netns) {
        List<NetnsCount> perNetns = new ArrayList<>(netns.size());
        netns.forEach((k, v) -> perNetns.add(new NetnsCount(k, v[0])));
        perNetns.sort(Comparator.comparingLong(NetnsCount::events).reversed().thenComparingLong(NetnsCount::netns));
        return perNetns;
    }

    private static List<ProbeCount> probeCounts(Map<String, long[]> probes) {
        List<ProbeCount> perProbe = new ArrayList<>(probes.size());
        probes.forEach((k, v) -> perProbe.add(new ProbeCount(k, v[0])));
        perProbe.sort(Comparator.comparingLong(ProbeCount::events).reversed().thenComparing(ProbeCount::probe));
        return perProbe;
    }

    private record DropKey(String reason, String location) {}

    /**
     * @param events           events the run received (including any past the line limit)
     * @param printed          events written to the output
     * @param lost             events the kernel side could not queue (ring buffer full), from the tracer's stats
     * @param drops            events that were drops
     * @param dropGroups       drops per (reason, location), largest first, at most the cap
     * @param otherDrops       drops whose group did not fit under the cap
     * @param netns            events per network namespace inode, largest first, at most the cap
     * @param otherNetnsEvents events whose namespace did not fit under the cap
     * @param overBudget       matched hits the per-second event budget kept from becoming events
     * @param probes           events per probe, largest first
     * @param otherProbeEvents events whose probe did not fit under the cap
     * @param kernelCounted    the counts are the kernel's (every matched hit), not those of the events received; then
     *                         events counts the matched hits, of which only some were streamed
     */
    public record Report(
            long events,
            long printed,
            long lost,
            long drops,
            List<DropGroup> dropGroups,
            long otherDrops,
            List<NetnsCount> netns,
            long otherNetnsEvents,
            StopReason stoppedBy,
            Duration elapsed,
            long overBudget,
            List<ProbeCount> probes,
            long otherProbeEvents,
            boolean kernelCounted) {
        public Report {
            dropGroups = List.copyOf(dropGroups);
            netns = List.copyOf(netns);
            probes = List.copyOf(probes);
            Objects.requireNonNull(stoppedBy, "stoppedBy");
            Objects.requireNonNull(elapsed, "elapsed");
        }
    }

    public record DropGroup(String reason, Optional<String> location, long count) {}

    public record NetnsCount(long netns, long events) {}

    public record ProbeCount(String probe, long events) {}
}
