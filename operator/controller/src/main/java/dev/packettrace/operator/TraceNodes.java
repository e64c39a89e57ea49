// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.operator;

import dev.packettrace.api.v1alpha1.PacketTrace;
import dev.packettrace.api.v1alpha1.TargetState;
import dev.packettrace.api.v1alpha1.TargetStatus;
import java.util.Collection;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The nodes a trace's targets live on. Shared by the per-node trace cap and the agent DaemonSet so that
 * both count a node the same way: a node hosting only Gone targets needs no agent and takes no slot.
 */
public final class TraceNodes {

    private TraceNodes() {}

    /** From the targets the trace's last written status lists. */
    public static SortedSet<String> of(PacketTrace trace) {
        return of(trace.statusOrEmpty().targets());
    }

    public static SortedSet<String> of(Collection<TargetStatus> targets) {
        SortedSet<String> nodes = new TreeSet<>();
        for (TargetStatus t : targets) {
            if (t.node() != null && t.state() != TargetState.Gone) {
                nodes.add(t.node());
            }
        }
        return nodes;
    }
}
