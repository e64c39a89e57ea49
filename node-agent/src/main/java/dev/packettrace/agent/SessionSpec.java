// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import dev.packettrace.tracer.Backend;
import dev.packettrace.tracer.TraceFilter;
import dev.packettrace.tracer.TracerConfig;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What the node's one tracer must look like to serve every active trace: the union of their target
 * namespaces, and track-skb and stacks when any trace asks for them. Only the namespaces go into the
 * kernel filter; each trace's own filters run in Java ({@link TraceFilter#matches}), because one
 * loaded program serves traces whose filters differ.
 */
record SessionSpec(Set<Long> netns, boolean trackSkb, boolean stack, Backend backend, int ringBufferBytes) {

    SessionSpec {
        netns = Set.copyOf(netns);
    }

    /** Whether a running tracer with {@code other}'s settings serves this one by changing only its namespaces. */
    boolean sameAttachment(SessionSpec other) {
        return trackSkb == other.trackSkb && stack == other.stack && backend == other.backend
                && ringBufferBytes == other.ringBufferBytes;
    }

    TracerConfig config() {
        TraceFilter filter = new TraceFilter(netns, OptionalLong.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                OptionalInt.empty(), OptionalInt.empty(), Optional.empty(), trackSkb);
        return new TracerConfig(filter, backend, stack, ringBufferBytes);
    }
}
