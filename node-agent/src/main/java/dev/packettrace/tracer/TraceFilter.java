// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What to trace, with pwru's meaning: every present filter must match (AND); an absent one matches
 * everything. The same filter is compiled into the BPF program ({@code FilterEncoder}) and evaluated
 * in Java ({@link #matches}) where one loaded tracer serves several traces.
 *
 * @param netnsInodes network namespace inodes; empty means every namespace
 * @param trackSkb    once an skb matched, follow it until it is freed even where it no longer matches
 * @param expression  a pcap-filter expression (tcpdump's syntax) the packet's bytes must match
 */
public record TraceFilter(
        Set<Long> netnsInodes,
        OptionalLong mark,
        Optional<String> ifname,
        Optional<IpPrefix> srcIp,
        Optional<IpPrefix> dstIp,
        OptionalInt srcPort,
        OptionalInt dstPort,
        Optional<L4Proto> proto,
        boolean trackSkb,
        Optional<PcapFilter> expression) {

    public static final int MAX_NETNS = 1024;
    public static final int IFNAMSIZ = 16;

    public TraceFilter {
        netnsInodes = Set.copyOf(netnsInodes);
        if (netnsInodes.size() > MAX_NETNS) {
            throw new IllegalArgumentException(
                    "at most " + MAX_NETNS + " network namespaces can be filtered, got " + netnsInodes.size());
        }
        mark.ifPresent(m -> {
            if (m < 0 || m > 0xffff_ffffL) {
                throw new IllegalArgumentException("mark " + m + " is not a 32-bit unsigned value");
            }
        });
        ifname.ifPresent(n -> {
            if (n.isEmpty() || n.length() >= IFNAMSIZ) {
                throw new IllegalArgumentException(
                        "interface name '" + n + "' must be 1 to " + (IFNAMSIZ - 1) + " characters");
            }
        });
        srcPort.ifPresent(TraceFilter::checkPort);
        dstPort.ifPresent(TraceFilter::checkPort);
    }

    /** Without an expression. */
    public TraceFilter(
            Set<Long> netnsInodes,
            OptionalLong mark,
            Optional<String> ifname,
            Optional<IpPrefix> srcIp,
            Optional<IpPrefix> dstIp,
            OptionalInt srcPort,
            OptionalInt dstPort,
            Optional<L4Proto> proto,
            boolean trackSkb) {
        this(netnsInodes, mark, ifname, srcIp, dstIp, srcPort, dstPort, proto, trackSkb, Optional.empty());
    }

    /** Matches everything in every namespace. */
    public static TraceFilter all() {
        return new TraceFilter(
                Set.of(),
                OptionalLong.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                OptionalInt.empty(),
                OptionalInt.empty(),
                Optional.empty(),
                false);
    }

    public TraceFilter withNetns(Set<Long> inodes) {
        return new TraceFilter(inodes, mark, ifname, srcIp, dstIp, srcPort, dstPort, proto, trackSkb, expression);
    }

    public TraceFilter withExpression(PcapFilter filter) {
        return new TraceFilter(
                netnsInodes, mark, ifname, srcIp, dstIp, srcPort, dstPort, proto, trackSkb, Optional.of(filter));
    }

    /** True when any filter on packet headers is set (these need a parsed tuple to match). */
    public boolean hasTupleFilter() {
        return srcIp.isPresent()
                || dstIp.isPresent()
                || srcPort.isPresent()
                || dstPort.isPresent()
                || proto.isPresent();
    }

    /**
     * Evaluates the filter on an already decoded event, as the BPF program would have on the skb.
     * Tracked events (emitted after an earlier match) are not re-evaluated here: the caller decides. The
     * expression's verdict is the kernel's, carried by the event (the tracer that produced it must have
     * evaluated the expression in one of its slots).
     */
    public boolean matches(PacketEvent e) {
        if (!netnsInodes.isEmpty() && !netnsInodes.contains(e.netns())) {
            return false;
        }
        if (expression.isPresent()
                && !e.matchedExpressions().contains(expression.get().expression())) {
            return false;
        }
        if (mark.isPresent() && mark.getAsLong() != e.mark()) {
            return false;
        }
        if (ifname.isPresent() && !ifname.get().equals(e.ifname())) {
            return false;
        }
        if (!hasTupleFilter()) {
            return true;
        }
        if (e.tuple().isEmpty()) {
            return false;
        }
        Tuple t = e.tuple().get();
        return srcIp.map(p -> p.contains(t.saddr())).orElse(true)
                && dstIp.map(p -> p.contains(t.daddr())).orElse(true)
                && (srcPort.isEmpty() || srcPort.getAsInt() == t.sport())
                && (dstPort.isEmpty() || dstPort.getAsInt() == t.dport())
                && proto.map(p -> p.number() == t.l4proto()).orElse(true);
    }

    private static void checkPort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 1..65535");
        }
    }
}
