// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent.netns;

import java.util.List;
import java.util.Objects;

/**
 * No usable process of the pod was found on this node: the pod is not running yet, has ended, runs
 * on another node, or its processes could not be read ({@link #problems()} says which).
 */
public record PodNetnsNotFound(String podUid, String reason, List<ScanProblem> problems) implements PodNetnsResolution {

    public PodNetnsNotFound {
        Objects.requireNonNull(podUid, "podUid");
        Objects.requireNonNull(reason, "reason");
        problems = List.copyOf(problems);
    }

    @Override
    public String summary() {
        return "pod " + podUid + ": no network namespace found on this node: " + reason
                + (problems.isEmpty()
                        ? ""
                        : "; " + problems.size() + " unreadable process(es), first: " + problems.getFirst());
    }
}
