// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

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
 * The last few events of one trace on this node, for its report: a fixed-size window, so memory does not
 * depend on traffic. Events are kept as they came and turned into their compact report form only when a
 * report is built, which is rare next to how often events arrive.
 */
final class RecentEvents {

    private final int capacity;
    private final ArrayDeque<Entry> live = new ArrayDeque<>();
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
        if (live.size() == capacity) {
            live.removeFirst();
        }
        live.addLast(new Entry(e, pod));
    }

    /**
     * @param wallClock turns an event's monotonic timestamp into RFC 3339 text
     * @param withTuple spec.output.tuple: whether the tuple is shown
     */
    List<TraceEvent> newestFirst(String node, LongFunction<String> wallClock, boolean withTuple) {
        List<TraceEvent> out = new ArrayList<>(capacity);
        for (Iterator<Entry> it = live.descendingIterator(); it.hasNext(); ) {
            Entry en = it.next();
            PacketEvent e = en.event();
            out.add(new TraceEvent(wallClock.apply(e.timestampNs()), node, en.pod().isEmpty() ? null : en.pod(), e.probe(),
                    e.ifname().isEmpty() ? null : e.ifname(), withTuple ? e.tuple().map(RecentEvents::tuple).orElse(null) : null,
                    e.dropReason().orElse(null), e.location().orElse(null)));
        }
        for (TraceEvent t : seeded) {
            if (out.size() >= capacity) {
                break;
            }
            out.add(t);
        }
        return out;
    }

    /** "10.0.0.1:40000->10.0.0.2:80/tcp", "[fd00::1]:53->[fd00::2]:53/udp", "10.0.0.1->10.0.0.2/icmp". */
    static String tuple(Tuple t) {
        boolean ports = t.sport() != 0 || t.dport() != 0;
        return endpoint(t.saddr(), t.sport(), ports) + "->" + endpoint(t.daddr(), t.dport(), ports) + "/" + t.l4protoName();
    }

    private static String endpoint(java.net.InetAddress a, int port, boolean ports) {
        String host = AddressText.toText(a);
        if (!ports) {
            return host;
        }
        return a instanceof java.net.Inet6Address ? "[" + host + "]:" + port : host + ":" + port;
    }

    private record Entry(PacketEvent event, String pod) {
    }
}
