// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.testing;

import dev.packettrace.agent.netns.PodNetnsResolver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A fake /proc laid out like the real one: {@code <root>/<pid>/cgroup} holds the cgroup lines and
 * {@code <root>/<pid>/ns/net} is a symbolic link whose text is {@code net:[INODE]}, which is exactly
 * what readlink returns for the kernel's magic link.
 */
public final class SyntheticProc {

    public static final long NODE_NETNS = 4026531833L;

    private final Path root;

    public SyntheticProc(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** A node whose PID 1 is in the node's namespace, as with hostPID. */
    public static SyntheticProc node(Path root) {
        SyntheticProc proc = new SyntheticProc(root);
        proc.process(1, "0::/init.scope\n", NODE_NETNS);
        return proc;
    }

    public SyntheticProc process(int pid, String cgroupFile, long netnsInode) {
        processWithoutNetns(pid, cgroupFile);
        return nsLink(pid, "net:[" + netnsInode + "]");
    }

    /** A process that exited between the read of its cgroup file and of its namespace link. */
    public SyntheticProc processWithoutNetns(int pid, String cgroupFile) {
        try {
            Path dir =
                    Files.createDirectories(root.resolve(Integer.toString(pid)).resolve("ns"));
            Files.writeString(dir.getParent().resolve("cgroup"), cgroupFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public SyntheticProc nsLink(int pid, String linkText) {
        try {
            Files.createSymbolicLink(
                    root.resolve(Integer.toString(pid)).resolve("ns").resolve("net"), Path.of(linkText));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** A process directory with nothing left in it: the process exited before its cgroup file was read. */
    public SyntheticProc vanished(int pid) {
        try {
            Files.createDirectories(root.resolve(Integer.toString(pid)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** A process whose cgroup file cannot be read (as root, a directory in its place is the portable way). */
    public SyntheticProc unreadableCgroup(int pid) {
        try {
            Files.createDirectories(root.resolve(Integer.toString(pid)).resolve("cgroup"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Entries of a real /proc that are not processes. */
    public SyntheticProc nonProcessEntries() {
        try {
            Files.createDirectories(root.resolve("sys"));
            Files.writeString(root.resolve("cgroups"), "#subsys_name\thierarchy\tnum_cgroups\tenabled\n");
            Files.createSymbolicLink(root.resolve("self"), Path.of("1"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public PodNetnsResolver resolver() {
        return new PodNetnsResolver(root);
    }

    /** cgroup v1 lines for every controller, all pointing at {@code path}, as a cgroupfs node has them. */
    public static String v1(String path) {
        return String.join(
                        "\n",
                        "12:pids:" + path,
                        "11:hugetlb:" + path,
                        "10:net_cls,net_prio:" + path,
                        "9:memory:" + path,
                        "8:cpu,cpuacct:" + path,
                        "7:devices:" + path,
                        "6:freezer:" + path,
                        "5:blkio:" + path,
                        "4:cpuset:" + path,
                        "3:perf_event:" + path,
                        "2:rdma:/",
                        "1:name=systemd:" + path,
                        "0::/")
                + "\n";
    }

    public static String v2(String path) {
        return "0::" + path + "\n";
    }

    public static String systemdPodSlice(String qos, String uid) {
        String pod = "kubepods-" + (qos.isEmpty() ? "" : qos + "-") + "pod" + uid.replace('-', '_') + ".slice";
        return "/kubepods.slice/" + (qos.isEmpty() ? "" : "kubepods-" + qos + ".slice/") + pod;
    }

    public static String cgroupfsPodDir(String qos, String uid) {
        return "/kubepods/" + (qos.isEmpty() ? "" : qos + "/") + "pod" + uid;
    }
}
