// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent.netns;

/** Which runtime created a container cgroup, as far as its name tells. */
public enum ContainerRuntime {
    /** {@code cri-containerd-<id>.scope} (systemd driver). */
    CONTAINERD,
    /** {@code crio-<id>.scope} or {@code crio-<id>}. */
    CRIO,
    /**
     * {@code crio-conmon-<id>.scope}: CRI-O's container monitor. It lives in the pod's cgroup but not in
     * the pod's network namespace, so it never counts as a pod process for netns resolution.
     */
    CRIO_CONMON,
    /** {@code docker-<id>.scope} (dockershim / cri-dockerd with the systemd driver). */
    DOCKER,
    /** A plain {@code <id>} directory (cgroupfs driver) or a scope name no rule recognises. */
    UNKNOWN
}
