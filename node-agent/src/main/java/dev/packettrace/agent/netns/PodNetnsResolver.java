// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent.netns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Finds pods' network namespaces from the node by walking {@code /proc}: each process's cgroup file
 * says which pod (and container) it belongs to, its {@code ns/net} link which namespace it is in.
 *
 * <p>Each pass reads every process's cgroup file once and the namespace link only of processes in a
 * pod cgroup. Processes that exit during the pass are skipped without a word, since that is normal
 * churn; any other failure to read a process is kept as a {@link ScanProblem} and handed to the
 * resolutions it may affect, because a missing process can mean a missing namespace.
 */
public final class PodNetnsResolver {

    public static final Path DEFAULT_PROC_ROOT = Path.of("/proc");
    /** The node's init process: with hostPID its namespace is the node's network namespace. */
    public static final int DEFAULT_NODE_REFERENCE_PID = 1;

    private static final System.Logger LOG = System.getLogger(PodNetnsResolver.class.getName());

    private final Path procRoot;
    private final int nodeReferencePid;

    /** Resolves against {@code /proc}, with PID 1 as the node's namespace. */
    public PodNetnsResolver() {
        this(DEFAULT_PROC_ROOT);
    }

    /** Resolves against a proc mount such as {@code /host/proc}, with its PID 1 as the node's namespace. */
    public PodNetnsResolver(Path procRoot) {
        this(procRoot, DEFAULT_NODE_REFERENCE_PID);
    }

    /**
     * @param nodeReferencePid a process known to be in the node's network namespace; PID 1 on a node,
     *     another where PID 1 is not the node's init (a test machine whose init hides its namespaces)
     */
    public PodNetnsResolver(Path procRoot, int nodeReferencePid) {
        this.procRoot = Objects.requireNonNull(procRoot, "procRoot");
        if (nodeReferencePid <= 0) {
            throw new IllegalArgumentException("nodeReferencePid: must be a positive PID, was " + nodeReferencePid);
        }
        this.nodeReferencePid = nodeReferencePid;
    }

    /** One pass indexing every pod on this node. */
    public ProcScan scan() {
        return scan(uid -> true);
    }

    /** One pass looking for one pod, reading namespace links of that pod's processes only. */
    public PodNetnsResolution resolve(String podUid) {
        return resolve(podUid, Set.of());
    }

    /** As {@link ProcScan#resolve(String, Set)}, from a pass looking for this pod only. */
    public PodNetnsResolution resolve(String podUid, Set<String> containerIds) {
        PodUids.requireValid(podUid, "podUid");
        return scan(podUid::equals).resolve(podUid, containerIds);
    }

    private ProcScan scan(Predicate<String> wantedPod) {
        long started = System.nanoTime();
        List<ScanProblem> problems = new ArrayList<>();
        Optional<Long> nodeNetns = nodeNetns(problems);
        Map<String, List<PodProcess>> byPod = new HashMap<>();
        int scanned = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(procRoot)) {
            for (Path dir : entries) {
                OptionalLong maybePid = pidOf(dir);
                if (maybePid.isEmpty()) {
                    continue;
                }
                int pid = (int) maybePid.getAsLong();
                scanned++;
                String cgroups;
                try {
                    // Cgroup paths are bytes; a stray non-UTF-8 name must not hide the other lines.
                    cgroups = new String(Files.readAllBytes(dir.resolve("cgroup")), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    if (!exited(e)) {
                        problems.add(
                                new ScanProblem(pid, Optional.empty(), "cannot read its cgroup file: " + describe(e)));
                    }
                    continue;
                }
                OptionalLong netns = OptionalLong.empty();
                for (PodCgroup cgroup : KubeletCgroupNames.fromProcCgroupFile(cgroups)) {
                    if (!wantedPod.test(cgroup.podUid())) {
                        continue;
                    }
                    if (netns.isEmpty()) {
                        try {
                            netns = OptionalLong.of(
                                    NetnsInode.of(dir.resolve("ns").resolve("net")));
                        } catch (IOException e) {
                            if (!exited(e)) {
                                problems.add(new ScanProblem(
                                        pid,
                                        Optional.of(cgroup.podUid()),
                                        "cannot read its network namespace: " + describe(e)));
                            }
                            break;
                        }
                    }
                    byPod.computeIfAbsent(cgroup.podUid(), u -> new ArrayList<>())
                            .add(new PodProcess(pid, cgroup, netns.getAsLong()));
                }
            }
        } catch (IOException | DirectoryIteratorException e) {
            throw new PodNetnsException(
                    "cannot list processes in " + procRoot + ": " + e.getMessage()
                            + " (the agent needs the host's proc, e.g. hostPID or a /host/proc mount)",
                    e);
        }
        ProcScan scan = new ProcScan(byPod, nodeNetns, problems, scanned);
        LOG.log(
                System.Logger.Level.DEBUG,
                "netns-scan procRoot={0} processes={1} pods={2} problems={3} micros={4}",
                procRoot,
                scanned,
                byPod.size(),
                problems.size(),
                (System.nanoTime() - started) / 1000);
        return scan;
    }

    private Optional<Long> nodeNetns(List<ScanProblem> problems) {
        Path link = procRoot.resolve(Integer.toString(nodeReferencePid))
                .resolve("ns")
                .resolve("net");
        try {
            return Optional.of(NetnsInode.of(link));
        } catch (IOException e) {
            problems.add(new ScanProblem(
                    nodeReferencePid,
                    Optional.empty(),
                    "cannot read the node's network namespace, so host-network pods cannot be recognised: "
                            + describe(e)));
            return Optional.empty();
        }
    }

    private static OptionalLong pidOf(Path dir) {
        String name = dir.getFileName().toString();
        // Non-numeric entries (self, net, sys, ...) are not processes; PIDs never exceed 2^22.
        if (name.isEmpty() || name.length() > 9 || !name.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return OptionalLong.empty();
        }
        long pid = Long.parseLong(name);
        return pid > 0 ? OptionalLong.of(pid) : OptionalLong.empty();
    }

    /** A process that exits mid-pass leaves ENOENT, or ESRCH while it is being torn down. */
    private static boolean exited(IOException e) {
        return e instanceof NoSuchFileException
                || e instanceof FileSystemException fse && "No such process".equals(fse.getReason());
    }

    private static String describe(IOException e) {
        if (e instanceof AccessDeniedException ade) {
            return ade.getFile() + ": permission denied (inspecting other processes needs hostPID and CAP_SYS_PTRACE)";
        }
        if (e instanceof FileSystemException fse) {
            return fse.getFile() + ": "
                    + (fse.getReason() == null ? e.getClass().getSimpleName() : fse.getReason());
        }
        return e.toString();
    }
}
