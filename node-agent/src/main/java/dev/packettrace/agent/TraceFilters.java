// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import dev.packettrace.api.validation.TraceRequest;
import dev.packettrace.tracer.IpPrefix;
import dev.packettrace.tracer.L4Proto;
import dev.packettrace.tracer.PcapFilter;
import dev.packettrace.tracer.TraceFilter;
import java.util.Optional;
import java.util.Set;

/**
 * Maps a trace's validated spec.filter onto the tracer core's {@link TraceFilter}. The operator checked
 * the spec already; this check is the agent's own, because what it loads must be right whatever reached
 * it, and a value the tracer cannot take is reported naming the spec field.
 */
final class TraceFilters {

    private TraceFilters() {}

    /** The filter without namespaces (those come from the resolved targets). */
    static TraceFilter of(TraceRequest.Filter f) {
        Optional<IpPrefix> src = f.srcIp().map(v -> field("spec.filter.srcIp", () -> IpPrefix.parse(v)));
        Optional<IpPrefix> dst = f.dstIp().map(v -> field("spec.filter.dstIp", () -> IpPrefix.parse(v)));
        Optional<L4Proto> proto = f.proto()
                .map(p -> L4Proto.ofName(p)
                        .orElseThrow(() -> new IllegalArgumentException(
                                "spec.filter.proto: '" + p + "' is not one of tcp, udp, icmp, icmp6")));
        if (proto.isPresent()
                && (f.srcPort().isPresent() || f.dstPort().isPresent())
                && proto.get() != L4Proto.TCP
                && proto.get() != L4Proto.UDP) {
            throw new IllegalArgumentException("spec.filter.proto: ports only apply to tcp or udp, not "
                    + proto.get().flagName());
        }
        f.srcPort().ifPresent(p -> port("spec.filter.srcPort", p));
        f.dstPort().ifPresent(p -> port("spec.filter.dstPort", p));
        f.mark().ifPresent(m -> {
            if (m < 0 || m > 0xffff_ffffL) {
                throw new IllegalArgumentException("spec.filter.mark: " + m + " is not a 32-bit unsigned value");
            }
        });
        f.ifname().ifPresent(n -> {
            if (n.isEmpty()
                    || n.length() >= TraceFilter.IFNAMSIZ
                    || n.contains("/")
                    || n.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("spec.filter.ifname: '" + n + "' must be 1 to "
                        + (TraceFilter.IFNAMSIZ - 1) + " characters without '/' or spaces");
            }
        });
        Optional<PcapFilter> expression = f.expression().map(TraceFilters::expression);
        return new TraceFilter(
                Set.of(), f.mark(), f.ifname(), src, dst, f.srcPort(), f.dstPort(), proto, f.trackSkb(), expression);
    }

    /** libpcap compiles it here, before the tracer loads: a refused expression fails the trace with libpcap's message. */
    private static PcapFilter expression(String text) {
        try {
            return PcapFilter.compile(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("spec.filter.expression: '" + text + "': " + e.getMessage(), e);
        } catch (UnsatisfiedLinkError e) {
            throw new IllegalArgumentException(
                    "spec.filter.expression: this node cannot compile expressions: " + e.getMessage(), e);
        }
    }

    private static void port(String field, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(field + ": " + port + " is outside 1..65535");
        }
    }

    private static <T> T field(String field, java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
        }
    }
}
