// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import dev.packettrace.tracer.Backend;
import dev.packettrace.tracer.EventStream;
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
 * slot each, and every event says which of them matched. When every trace selects packets by its pods alone and
 * none wants every event, the kernel counts (per namespace, which is all such a trace needs) and streams only
 * the drops, or nothing ({@link #stream}).
 */
record SessionSpec(
        Set<Long> netns,
        boolean trackSkb,
        boolean stack,
        Backend backend,
        int ringBufferBytes,
        ExpressionSlots expressions,
        EventStream stream) {

    SessionSpec {
        netns = Set.copyOf(netns);
    }

    /** Every hit streamed. */
    SessionSpec(
            Set<Long> netns,
            boolean trackSkb,
            boolean stack,
            Backend backend,
            int ringBufferBytes,
            ExpressionSlots expressions) {
        this(netns, trackSkb, stack, backend, ringBufferBytes, expressions, EventStream.ALL);
    }

    /** No trace with an expression. */
    SessionSpec(Set<Long> netns, boolean trackSkb, boolean stack, Backend backend, int ringBufferBytes) {
        this(netns, trackSkb, stack, backend, ringBufferBytes, ExpressionSlots.none());
    }

    /**
     * What the node's tracer streams for these traces: each trace's choice of events when the kernel's per-namespace
     * counts can stand in for its own (empty when they cannot: it filters by more than its pods, so it must see
     * every event to count). Every event unless all of them can; then the drops if any trace wants them, else none.
     */
    static EventStream stream(List<Optional<EventStream.Events>> perTrace) {
        if (perTrace.isEmpty() || perTrace.stream().anyMatch(e -> e.isEmpty() || e.get() == EventStream.Events.ALL)) {
            return EventStream.ALL;
        }
        boolean drops = perTrace.stream().anyMatch(e -> e.get() == EventStream.Events.DROPS);
        return EventStream.of(drops ? EventStream.Events.DROPS : EventStream.Events.NONE, 0);
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
        return new ExpressionSlots(
                List.copyOf(distinct.values()), perTrace.stream().allMatch(Optional::isPresent));
    }

    /**
     * Whether a running tracer with {@code other}'s settings serves this one by changing only its namespaces. The
     * expressions' programs are loaded with the tracer, so a change of expressions restarts it.
     */
    boolean sameAttachment(SessionSpec other) {
        return trackSkb == other.trackSkb
                && stack == other.stack
                && backend == other.backend
                && ringBufferBytes == other.ringBufferBytes
                && expressions.equals(other.expressions)
                && stream.equals(other.stream);
    }

    TracerConfig config() {
        TraceFilter filter = new TraceFilter(
                netns,
                OptionalLong.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                OptionalInt.empty(),
                OptionalInt.empty(),
                Optional.empty(),
                trackSkb);
        return new TracerConfig(filter, backend, stack, ringBufferBytes)
                .withExpressions(expressions)
                .withStream(stream);
    }
}
