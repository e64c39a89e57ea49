// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent.netns;

import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The network namespace of a pod as seen from the node.
 *
 * <p>All containers of a pod share the sandbox's namespace, so {@link #pidsByInode()} normally has one
 * entry. More than one means the pod's processes disagree (a container restarting into a new sandbox
 * mid-scan, or something outside Kubernetes' control): every namespace is reported and
 * {@link #consistent()} is false, rather than one being picked silently.
 *
 * <p>{@code hostNetwork} is true when the pod shares the node's namespace (the one of the agent's
 * reference process, PID 1 of the host). Tracing such a pod means tracing the node's namespace, which
 * also carries the node's own traffic and every other host-network pod's.
 *
 * @param nodeNetns the node's namespace inode, empty when it could not be read (then
 *     {@code hostNetwork} is false because it could not be established, and a problem says why)
 */
public record PodNetns(
        String podUid,
        SortedMap<Long, SortedSet<Integer>> pidsByInode,
        boolean hostNetwork,
        Optional<Long> nodeNetns,
        List<ScanProblem> problems)
        implements PodNetnsResolution {

    public PodNetns {
        Objects.requireNonNull(podUid, "podUid");
        Objects.requireNonNull(nodeNetns, "nodeNetns");
        if (pidsByInode.isEmpty()) {
            throw new IllegalArgumentException("pidsByInode: a resolved pod has at least one process");
        }
        TreeMap<Long, SortedSet<Integer>> copy = new TreeMap<>();
        pidsByInode.forEach((inode, pids) -> copy.put(inode, Collections.unmodifiableSortedSet(new TreeSet<>(pids))));
        pidsByInode = Collections.unmodifiableSortedMap(copy);
        problems = List.copyOf(problems);
    }

    /** The distinct network namespace inodes of the pod's processes. */
    public Set<Long> inodes() {
        return pidsByInode.keySet();
    }

    /** The pod's processes that identify its namespace (CRI-O conmon excluded). */
    public SortedSet<Integer> pids() {
        return Collections.unmodifiableSortedSet(
                pidsByInode.values().stream().flatMap(Set::stream).collect(Collectors.toCollection(TreeSet::new)));
    }

    /** Whether all of the pod's processes are in one namespace. */
    public boolean consistent() {
        return pidsByInode.size() == 1;
    }

    /** The namespace inode when the pod's processes agree on one. */
    public Optional<Long> inode() {
        return consistent() ? Optional.of(pidsByInode.firstKey()) : Optional.empty();
    }

    @Override
    public String summary() {
        String where;
        if (consistent()) {
            where = "netns " + pidsByInode.firstKey() + " (" + pids().size() + " process(es))";
        } else {
            where = "processes in " + pidsByInode.size() + " different network namespaces, tracing all of them: "
                    + pidsByInode.entrySet().stream()
                            .map(e -> e.getKey() + " pids " + e.getValue())
                            .collect(Collectors.joining(", "));
        }
        String host = hostNetwork
                ? "; hostNetwork: this is the node's own namespace, so the trace also sees the node's and every host-network pod's traffic"
                : nodeNetns.isEmpty() ? "; whether it is the node's namespace is unknown (node netns unreadable)" : "";
        return "pod " + podUid + ": " + where + host;
    }
}
