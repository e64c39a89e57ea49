// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent.netns;

import java.util.Objects;

/** One process found in a pod's cgroup, with the network namespace it was in when scanned. */
public record PodProcess(int pid, PodCgroup cgroup, long netnsInode) {

    public PodProcess {
        Objects.requireNonNull(cgroup, "cgroup");
        if (pid <= 0) {
            throw new IllegalArgumentException("pid: must be positive, was " + pid);
        }
    }
}
