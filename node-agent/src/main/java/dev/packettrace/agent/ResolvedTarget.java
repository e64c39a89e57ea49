// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import dev.packettrace.api.v1alpha1.TargetState;
import dev.packettrace.api.v1alpha1.TargetStatus;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * One target pod of a trace as this node's agent found it.
 *
 * @param netns   the network namespace inodes traced for it: one normally, several while its processes
 *                disagree (a restart caught mid-way), none while no process of it runs here
 * @param message why the state is what it is, when that needs saying
 */
record ResolvedTarget(String pod, String podUid, SortedSet<Long> netns, TargetState state, Optional<String> message) {

    ResolvedTarget {
        Objects.requireNonNull(pod, "pod");
        Objects.requireNonNull(podUid, "podUid");
        netns = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(netns));
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(message, "message");
    }

    static ResolvedTarget of(String pod, String podUid, Set<Long> netns, TargetState state, String message) {
        return new ResolvedTarget(pod, podUid, new TreeSet<>(netns), state, Optional.ofNullable(message));
    }

    /** The status entry: the (first) namespace inode, which is the pod's only one unless the message says otherwise. */
    TargetStatus toStatus(String node) {
        return new TargetStatus(pod, podUid, node, netns.isEmpty() ? null : netns.first(), state, message.orElse(null));
    }
}
