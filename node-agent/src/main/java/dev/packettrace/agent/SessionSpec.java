// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import dev.packettrace.tracer.Backend;
import dev.packettrace.tracer.ExpressionSlots;
import dev.packettrace.tracer.PcapFilter;
import dev.packettrace.tracer.TraceFilter;
import dev.packettrace.tracer.TracerConfig;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the node's one tracer must look like to serve every active trace: the union of their target
 * namespaces, and track-skb and stacks when any trace asks for them. Only the namespaces go into the
 * kernel filter; each trace's own filters run in Java ({@link TraceFilter#matches}), because one
 * loaded program serves traces whose filters differ. Their pcap-filter expressions run in the kernel, one
 * slot each, and every event says which of them matched.
 */
record SessionSpec(Set<Long> netns, boolean trackSkb, boolean stack, Backend backend, int ringBufferBytes,
                   ExpressionSlots expressions) {

    SessionSpec {
        netns = Set.copyOf(netns);
    }

    /** No trace with an expression. */
    SessionSpec(Set<Long> netns, boolean trackSkb, boolean stack, Backend backend, int ringBufferBytes) {
        this(netns, trackSkb, stack, backend, ringBufferBytes, ExpressionSlots.none());
    }

    /**
     * The traces' expressions, one slot per distinct text, in text order; the kernel drops what matches none of
     * them only when every trace has one (a trace without an expression wants those packets).
     */
    static ExpressionSlots slots(List<Optional<PcapFilter>> perTrace) {
        Map<String, PcapFilter> distinct = new TreeMap<>();
        perTrace.forEach(e -> e.ifPresent(f -> distinct.putIfAbsent(f.expression(), f)));
        if (distinct.isEmpty()) {
            return ExpressionSlots.none();
        }
        return new ExpressionSlots(List.copyOf(distinct.values()), perTrace.stream().allMatch(Optional::isPresent));
    }

    /**
     * Whether a running tracer with {@code other}'s settings serves this one by changing only its namespaces. The
     * expressions' programs are loaded with the tracer, so a change of expressions restarts it.
     */
    boolean sameAttachment(SessionSpec other) {
        return trackSkb == other.trackSkb && stack == other.stack && backend == other.backend
                && ringBufferBytes == other.ringBufferBytes && expressions.equals(other.expressions);
    }

    TracerConfig config() {
        TraceFilter filter = new TraceFilter(netns, OptionalLong.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                OptionalInt.empty(), OptionalInt.empty(), Optional.empty(), trackSkb);
        return new TracerConfig(filter, backend, stack, ringBufferBytes).withExpressions(expressions);
    }
}
