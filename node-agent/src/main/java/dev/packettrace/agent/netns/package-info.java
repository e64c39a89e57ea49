// SPDX-License-Identifier: Apache-2.0
/**
 * Finds a Kubernetes pod's network namespace from the node, without asking the container runtime:
 * the kubelet names every pod's cgroup after the pod UID, so a pass over {@code /proc/*}{@code /cgroup}
 * finds the pod's processes, and {@code /proc/PID/ns/net} names their network namespace by inode,
 * which is what the tracer filters on.
 *
 * <p>The node agent runs with hostPID and reads the host's proc (usually mounted at
 * {@code /host/proc}); everything here takes the proc root as a parameter so that tests can hand it
 * synthetic trees.
 */
package dev.packettrace.agent.netns;
