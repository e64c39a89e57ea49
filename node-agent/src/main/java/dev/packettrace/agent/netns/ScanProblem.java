// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent.netns;

import java.util.Objects;
import java.util.Optional;

/**
 * A process the scan could not read for a reason other than having exited: most often permission
 * (the agent lacks hostPID or CAP_SYS_PTRACE). {@code podUid} is set when the process was already known
 * to belong to a pod, empty when its cgroup file itself was unreadable and its pod is unknown.
 */
public record ScanProblem(int pid, Optional<String> podUid, String problem) {

    public ScanProblem {
        Objects.requireNonNull(podUid, "podUid");
        Objects.requireNonNull(problem, "problem");
    }

    /** Whether this problem may hide a process of {@code uid}. */
    public boolean mayConcern(String uid) {
        return podUid.map(uid::equals).orElse(true);
    }

    @Override
    public String toString() {
        return "pid " + pid + podUid.map(u -> " (pod " + u + ")").orElse("") + ": " + problem;
    }
}
