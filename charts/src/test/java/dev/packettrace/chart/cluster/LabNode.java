// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.chart.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What the tests do on the lab's node itself, as an administrator would with a shell on it: firewall rules
 * in a pod's network namespace (a fault to find), and the kernel's list of loaded BPF programs (what the
 * agent left behind). The node is this machine, so both run here as root.
 */
final class LabNode {

    /** packettrace's programs: pt&lt;id&gt;_&lt;group&gt;__&lt;event&gt;, cut by the kernel to 15 characters. */
    private static final String OUR_PROGRAM = "^\\d+: \\w+\\s+name pt\\d+_.*";

    private LabNode() {}

    /** bpftool's lines for the programs of ours that are loaded now. */
    static List<String> loadedTracerPrograms() {
        return ClusterLab.run(List.of("bpftool", "prog", "show"), "")
                .requireSuccess()
                .stdout()
                .lines()
                .filter(l -> l.matches(OUR_PROGRAM))
                .toList();
    }

    /** Appends an iptables rule (e.g. "INPUT -p tcp --dport 8080 -j DROP") in the pod's network namespace. */
    static void iptablesInPod(Pod pod, String rule) {
        List<String> command = new java.util.ArrayList<>(List.of("iptables", "-A"));
        command.addAll(List.of(rule.split(" ")));
        inPod(pod, command.toArray(String[]::new));
    }

    /** Runs a command in the node's own network namespace (hack/cluster-lab: NETNS), as root on the node. */
    static ClusterLab.Result inNode(String... command) {
        List<String> full = new java.util.ArrayList<>(List.of("ip", "netns", "exec", ClusterLab.NODE));
        full.addAll(List.of(command));
        return ClusterLab.run(full, "").requireSuccess();
    }

    /** Runs a command in the pod's network namespace (e.g. iptables-save -c), as root on the node. */
    static ClusterLab.Result inPod(Pod pod, String... command) {
        List<String> full = new java.util.ArrayList<>(List.of("nsenter", "-t", Long.toString(processOf(pod)), "-n"));
        full.addAll(List.of(command));
        return ClusterLab.run(full, "").requireSuccess();
    }

    /** A process of the pod's first container, found the way the agent finds it: by its cgroup. */
    static long processOf(Pod pod) {
        String id = pod.getStatus()
                .getContainerStatuses()
                .getFirst()
                .getContainerID()
                .replaceFirst("^\\w+://", "");
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .filter(p -> cgroupOf(p).map(c -> c.contains(id)).orElse(false))
                    .map(p -> Long.parseLong(p.getFileName().toString()))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no process of container " + id + " of pod "
                            + pod.getMetadata().getName()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list /proc", e);
        }
    }

    private static Optional<String> cgroupOf(Path proc) {
        try {
            return Optional.of(Files.readString(proc.resolve("cgroup")));
        } catch (IOException e) {
            return Optional.empty(); // the process ended while we looked
        }
    }
}
