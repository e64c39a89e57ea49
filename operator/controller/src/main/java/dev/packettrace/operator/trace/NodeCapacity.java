// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.operator.trace;

import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.api.v1alpha1.PacketTraceStatus;
import dev.packettrace.operator.TraceNodes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Enforces the cap on concurrent traces per node. Every reconcile ranks the live traces the same way
 * (running before pending, then oldest first, then by name), so two traces reconciled at the same time
 * on different threads agree on which one is over the cap without any lock.
 */
final class NodeCapacity {

    private NodeCapacity() {}

    /** Empty when the trace fits on every node; otherwise why not, naming the nodes and the traces ahead. */
    static Optional<String> check(
            PacketTrace self, Set<String> selfNodes, boolean selfRunning, List<PacketTrace> all, int cap) {
        Comparator<PacketTrace> rank = Comparator.comparing((PacketTrace t) -> isRunning(t, self, selfRunning) ? 0 : 1)
                .thenComparing(t -> String.valueOf(t.getMetadata().getCreationTimestamp()))
                .thenComparing(PacketTrace::key);
        Map<String, List<String>> full = new TreeMap<>();
        for (String node : new TreeSet<>(selfNodes)) {
            List<String> ahead = new ArrayList<>();
            for (PacketTrace other : all) {
                if (other.getMetadata().getUid() != null
                        && other.getMetadata()
                                .getUid()
                                .equals(self.getMetadata().getUid())) {
                    continue;
                }
                if (!isLive(other) || !TraceNodes.of(other).contains(node)) {
                    continue;
                }
                if (rank.compare(other, self) < 0) {
                    ahead.add(other.key());
                }
            }
            if (ahead.size() >= cap) {
                full.put(node, ahead);
            }
        }
        if (full.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder b = new StringBuilder();
        full.forEach((node, traces) -> b.append(b.isEmpty() ? "" : "; ")
                .append("node ")
                .append(node)
                .append(" already runs ")
                .append(traces.size())
                .append(" traces (")
                .append(String.join(", ", traces.stream().limit(5).toList()))
                .append(traces.size() > 5 ? ", ..." : "")
                .append(")"));
        return Optional.of(b + "; the operator's maxTracesPerNode is " + cap);
    }

    private static boolean isRunning(PacketTrace t, PacketTrace self, boolean selfRunning) {
        if (t == self) {
            return selfRunning;
        }
        return t.statusOrEmpty().phaseOrPending() == PacketTraceStatus.Phase.Running;
    }

    private static boolean isLive(PacketTrace t) {
        return t.getMetadata().getDeletionTimestamp() == null
                && !t.statusOrEmpty().phaseOrPending().isTerminal();
    }
}
