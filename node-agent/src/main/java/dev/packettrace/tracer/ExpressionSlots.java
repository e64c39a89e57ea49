// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The pcap-filter expressions one loaded tracer evaluates in the kernel, one slot each; every event says
 * which of them its packet matched ({@link PacketEvent#matchedExpressions}).
 *
 * @param filters    at most {@link #MAX} of them, distinct by text
 * @param requireAny the kernel reports only events that match at least one of them; otherwise the verdicts
 *                   are only reported (the node agent, when some of its traces have no expression)
 */
public record ExpressionSlots(List<PcapFilter> filters, boolean requireAny) {

    /** PT_PCAP_SLOTS in bpf/include/pcap.h: the bits of pt_event.pcap_match. */
    public static final int MAX = 8;

    public ExpressionSlots {
        filters = List.copyOf(filters);
        if (filters.size() > MAX) {
            throw new IllegalArgumentException(
                    "one tracer evaluates at most " + MAX + " filter expressions, got " + filters.size());
        }
        if (filters.stream().map(PcapFilter::expression).distinct().count() != filters.size()) {
            throw new IllegalArgumentException("filter expressions repeat: " + filters);
        }
        if (filters.isEmpty() && requireAny) {
            throw new IllegalArgumentException("requireAny needs at least one expression");
        }
    }

    public static ExpressionSlots none() {
        return new ExpressionSlots(List.of(), false);
    }

    /** What the filter's own expression needs: that one, required. */
    public static ExpressionSlots of(TraceFilter filter) {
        return filter.expression()
                .map(e -> new ExpressionSlots(List.of(e), true))
                .orElse(none());
    }

    /** pt_config.pcap_require. */
    int requireMask() {
        return requireAny ? (1 << filters.size()) - 1 : 0;
    }

    /** The texts of the slots whose bit is set in pt_event.pcap_match. */
    Set<String> matched(int bits) {
        if (bits == 0) {
            return Set.of();
        }
        Set<String> out = new HashSet<>();
        for (int s = 0; s < filters.size(); s++) {
            if ((bits & (1 << s)) != 0) {
                out.add(filters.get(s).expression());
            }
        }
        return Set.copyOf(out);
    }

    Optional<PcapFilter> slot(int s) {
        return s < filters.size() ? Optional.of(filters.get(s)) : Optional.empty();
    }
}
