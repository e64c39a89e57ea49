// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import dev.packettrace.api.report.RecentEventSelection;
import dev.packettrace.api.v1alpha1.TraceEvent;
import dev.packettrace.output.AddressText;
import dev.packettrace.tracer.PacketEvent;
import dev.packettrace.tracer.Tuple;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.LongFunction;

/**
 * The last few events of one trace on this node, for its report: fixed-size windows, so memory does not
 * depend on traffic, one for drops and one for the rest, so that a busy flow does not push the drops out
 * ({@link RecentEventSelection} picks from both). Events are kept as they came and turned into their compact
 * report form only when a report is built, which is rare next to how often events arrive.
 */
final class RecentEvents {

    private final int capacity;
    private final ArrayDeque<Entry> drops = new ArrayDeque<>();
    private final ArrayDeque<Entry> others = new ArrayDeque<>();
    private List<TraceEvent> seeded = List.of();

    RecentEvents(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must not be negative, got " + capacity);
        }
        this.capacity = capacity;
    }

    /** Events from the node's previous report, newest first: shown after any newer ones. */
    void seed(List<TraceEvent> previous) {
        seeded = List.copyOf(previous.subList(0, Math.min(capacity, previous.size())));
    }

    void add(PacketEvent e, String pod) {
        if (capacity == 0) {
            return;
        }
        ArrayDeque<Entry> window = e.dropReason().isPresent() ? drops : others;
        if (window.size() == capacity) {
            window.removeFirst();
        }
        window.addLast(new Entry(e, pod));
    }

    /**
     * @param wallClock turns an event's monotonic timestamp into RFC 3339 text
     * @param withTuple spec.output.tuple: whether the tuple is shown
     */
    List<TraceEvent> newestFirst(String node, LongFunction<String> wallClock, boolean withTuple) {
        List<TraceEvent> candidates = new ArrayList<>(drops.size() + others.size() + seeded.size());
        Iterator<Entry> d = drops.descendingIterator(), o = others.descendingIterator();
        Entry nextDrop = next(d), nextOther = next(o);
        while (nextDrop != null || nextOther != null) { // merge the two windows, newest first
            boolean dropFirst = nextOther == null
                    || nextDrop != null
                            && nextDrop.event().timestampNs()
                                    >= nextOther.event().timestampNs();
            Entry en = dropFirst ? nextDrop : nextOther;
            candidates.add(report(en, node, wallClock, withTuple));
            if (dropFirst) {
                nextDrop = next(d);
            } else {
                nextOther = next(o);
            }
        }
        candidates.addAll(seeded);
        return RecentEventSelection.keep(candidates, capacity);
    }

    private static Entry next(Iterator<Entry> it) {
        return it.hasNext() ? it.next() : null;
    }

    private static TraceEvent report(Entry en, String node, LongFunction<String> wallClock, boolean withTuple) {
        PacketEvent e = en.event();
        return new TraceEvent(
                wallClock.apply(e.timestampNs()),
                node,
                en.pod().isEmpty() ? null : en.pod(),
                e.probe(),
                e.ifname().isEmpty() ? null : e.ifname(),
                withTuple ? e.tuple().map(RecentEvents::tuple).orElse(null) : null,
                e.dropReason().orElse(null),
                e.location().orElse(null));
    }

    /** "10.0.0.1:40000->10.0.0.2:80/tcp", "[fd00::1]:53->[fd00::2]:53/udp", "10.0.0.1->10.0.0.2/icmp". */
    static String tuple(Tuple t) {
        boolean ports = t.sport() != 0 || t.dport() != 0;
        return endpoint(t.saddr(), t.sport(), ports) + "->" + endpoint(t.daddr(), t.dport(), ports) + "/"
                + t.l4protoName();
    }

    private static String endpoint(java.net.InetAddress a, int port, boolean ports) {
        String host = AddressText.toText(a);
        if (!ports) {
            return host;
        }
        return a instanceof java.net.Inet6Address ? "[" + host + "]:" + port : host + ":" + port;
    }

    private record Entry(PacketEvent event, String pod) {}
}
