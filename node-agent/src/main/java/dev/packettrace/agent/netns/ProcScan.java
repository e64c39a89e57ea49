// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent.netns;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * One pass over the node's processes: every process found in a pod cgroup with its network namespace,
 * the node's own namespace, and what could not be read. An agent that resolves many pods scans once
 * and resolves each pod from the same snapshot.
 *
 * @param processesByPod pod UID to the processes in its cgroups (conmon included, so that resolution
 *     can say it saw and excluded them)
 * @param nodeNetns the namespace of the node's reference process (PID 1), empty if unreadable
 * @param processesScanned how many process directories the pass visited
 */
public record ProcScan(
        Map<String, List<PodProcess>> processesByPod,
        Optional<Long> nodeNetns,
        List<ScanProblem> problems,
        int processesScanned) {

    public ProcScan {
        processesByPod = processesByPod.entrySet().stream()
                .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> List.copyOf(e.getValue())));
        Objects.requireNonNull(nodeNetns, "nodeNetns");
        problems = List.copyOf(problems);
    }

    /** The UIDs of all pods with at least one process on this node. */
    public Set<String> podUids() {
        return processesByPod.keySet();
    }

    /** The pod's network namespace from any of its processes except CRI-O's conmon. */
    public PodNetnsResolution resolve(String podUid) {
        return resolve(podUid, Set.of());
    }

    /**
     * The pod's network namespace from the processes of the given containers only; an empty set means
     * all of the pod's containers. IDs may carry the runtime scheme of a Pod's containerStatuses
     * ({@code containerd://<id>}, {@code cri-o://<id>}, {@code docker://<id>}).
     */
    public PodNetnsResolution resolve(String podUid, Set<String> containerIds) {
        PodUids.requireValid(podUid, "podUid");
        Set<String> wanted = bareContainerIds(containerIds);
        List<ScanProblem> relevant =
                problems.stream().filter(p -> p.mayConcern(podUid)).toList();
        List<PodProcess> inCgroup = processesByPod.getOrDefault(podUid, List.of());
        if (inCgroup.isEmpty()) {
            return new PodNetnsNotFound(
                    podUid,
                    "no process on this node is in a cgroup of this pod "
                            + "(not started yet, already gone, or scheduled on another node)",
                    relevant);
        }
        List<PodProcess> usable =
                inCgroup.stream().filter(p -> !p.cgroup().isConmon()).toList();
        if (usable.isEmpty()) {
            return new PodNetnsNotFound(
                    podUid,
                    "only CRI-O conmon processes " + pidsOf(inCgroup)
                            + " are in the pod's cgroup, and conmon runs outside the pod's network namespace",
                    relevant);
        }
        if (!wanted.isEmpty()) {
            usable = usable.stream()
                    .filter(p -> p.cgroup()
                            .container()
                            .map(c -> wanted.contains(c.id()))
                            .orElse(false))
                    .toList();
            if (usable.isEmpty()) {
                Set<String> seen = inCgroup.stream()
                        .flatMap(p -> p.cgroup().container().stream())
                        .map(ContainerCgroup::id)
                        .collect(Collectors.toCollection(TreeSet::new));
                return new PodNetnsNotFound(
                        podUid,
                        "none of the pod's " + inCgroup.size() + " process(es) is in containers "
                                + new TreeSet<>(wanted) + "; containers seen: " + seen,
                        relevant);
            }
        }
        TreeMap<Long, SortedSet<Integer>> pidsByInode = new TreeMap<>();
        usable.forEach(p -> pidsByInode
                .computeIfAbsent(p.netnsInode(), i -> new TreeSet<>())
                .add(p.pid()));
        boolean hostNetwork = nodeNetns.map(pidsByInode::containsKey).orElse(false);
        return new PodNetns(podUid, pidsByInode, hostNetwork, nodeNetns, relevant);
    }

    private static Set<String> bareContainerIds(Set<String> containerIds) {
        Set<String> bare = new HashSet<>();
        for (String id : containerIds) {
            String stripped = id == null ? "" : id.substring(id.indexOf("://") < 0 ? 0 : id.indexOf("://") + 3);
            if (stripped.isEmpty() || stripped.contains("/")) {
                throw new IllegalArgumentException(
                        "containerIds: '" + id + "' is not a container ID (expected <id> or <runtime>://<id>)");
            }
            bare.add(stripped);
        }
        return Collections.unmodifiableSet(bare);
    }

    private static List<Integer> pidsOf(List<PodProcess> processes) {
        return new ArrayList<>(processes.stream().map(PodProcess::pid).collect(Collectors.toCollection(TreeSet::new)));
    }
}
