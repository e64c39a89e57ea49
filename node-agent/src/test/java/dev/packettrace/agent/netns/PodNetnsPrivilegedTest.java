// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.testing.Commands;
import dev.packettrace.testing.Privileged;
import dev.packettrace.testing.TestCgroup;
import dev.packettrace.testing.TestNetns;
import dev.packettrace.testing.TestProcess;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The resolver against the real /proc: real processes in real network namespaces, placed in real
 * cgroups named the way the kubelet names them (this machine mounts cgroup v1 controllers plus a v2
 * hierarchy at /sys/fs/cgroup/unified).
 */
@Tag("privileged")
class PodNetnsPrivilegedTest {

    private static final Path PROC = Path.of("/proc");
    private static final Path V1_PIDS = Path.of("/sys/fs/cgroup/pids");
    private static final Path V1_SYSTEMD = Path.of("/sys/fs/cgroup/systemd");
    private static final Path V2 = Path.of("/sys/fs/cgroup/unified");

    /*
     * On a node the agent compares with PID 1. Here PID 1 is the VM's init, which refuses to show its
     * namespaces even to root, so the test JVM (in the machine's root network namespace) stands in.
     */
    private final PodNetnsResolver resolver =
            new PodNetnsResolver(PROC, (int) ProcessHandle.current().pid());
    private final long hostNetns = Commands.inodeOf("/proc/self/ns/net");

    @BeforeEach
    void root() {
        Privileged.requireRoot();
    }

    private static String containerId() {
        byte[] id = new byte[32];
        new SecureRandom().nextBytes(id);
        return HexFormat.of().formatHex(id);
    }

    @Test
    void podInItsOwnNetnsUnderCgroupV1CgroupfsNaming() throws Exception {
        String uid = UUID.randomUUID().toString();
        try (TestNetns netns = TestNetns.create();
                TestCgroup cgroup = TestCgroup.create(V1_PIDS, "kubepods/besteffort/pod" + uid + "/" + containerId());
                TestProcess sleeper = TestProcess.start("sleep", "ip", "netns", "exec", netns.name(), "sleep", "600")) {
            cgroup.add(sleeper.pid());
            long expected = netns.inode();
            assertNotEquals(hostNetns, expected, "a new namespace is not the host's");

            PodNetns resolved = assertInstanceOf(PodNetns.class, resolver.resolve(uid));
            assertEquals(Optional.of(expected), resolved.inode(), resolved.summary());
            assertEquals(Set.of((int) sleeper.pid()), resolved.pids());
            assertFalse(resolved.hostNetwork(), resolved.summary());
            assertEquals(Optional.of(hostNetns), resolved.nodeNetns());
            assertEquals(
                    List.of(),
                    resolved.problems().stream()
                            .filter(p -> p.podUid().isPresent())
                            .toList());

            // The same answer from one pass over every pod, and the two ways of reading an inode agree.
            ProcScan scan = resolver.scan();
            assertTrue(scan.podUids().contains(uid), "scan found pod " + uid + " among " + scan.podUids());
            assertEquals(
                    Optional.of(expected),
                    assertInstanceOf(PodNetns.class, scan.resolve(uid)).inode());
            assertEquals(expected, NetnsInode.of(Path.of("/proc", Long.toString(sleeper.pid()), "ns", "net")));
            assertEquals(expected, NetnsInode.of(Path.of("/run/netns", netns.name())));
        }
    }

    @Test
    void hostNetworkPodUnderCgroupV2SystemdNaming() {
        String uid = UUID.randomUUID().toString();
        String slice =
                "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + uid.replace('-', '_') + ".slice";
        try (TestCgroup cgroup = TestCgroup.create(V2, slice + "/cri-containerd-" + containerId() + ".scope");
                TestProcess sleeper = TestProcess.start("sleep", "sleep", "600")) {
            cgroup.add(sleeper.pid());

            PodNetns resolved = assertInstanceOf(PodNetns.class, resolver.resolve(uid));
            assertEquals(Optional.of(hostNetns), resolved.inode(), resolved.summary());
            assertTrue(resolved.hostNetwork(), resolved.summary());
            assertTrue(resolved.summary().contains("node's own namespace"), resolved.summary());
            assertEquals(Set.of((int) sleeper.pid()), resolved.pids());
        }
    }

    @Test
    void crioConmonInTheNodeNamespaceIsNotTakenForThePod() {
        String uid = UUID.randomUUID().toString();
        String id = containerId();
        String slice =
                "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + uid.replace('-', '_') + ".slice";
        try (TestNetns netns = TestNetns.create();
                TestCgroup conmonScope = TestCgroup.create(V1_SYSTEMD, slice + "/crio-conmon-" + id + ".scope");
                TestCgroup containerScope = TestCgroup.create(V1_SYSTEMD, slice + "/crio-" + id + ".scope");
                TestProcess conmon = TestProcess.start("sleep", "sleep", "600");
                TestProcess container =
                        TestProcess.start("sleep", "ip", "netns", "exec", netns.name(), "sleep", "600")) {
            conmonScope.add(conmon.pid());
            containerScope.add(container.pid());

            PodNetns resolved = assertInstanceOf(PodNetns.class, resolver.resolve(uid));
            assertEquals(Optional.of(netns.inode()), resolved.inode(), resolved.summary());
            assertEquals(Set.of((int) container.pid()), resolved.pids());
            assertFalse(resolved.hostNetwork(), resolved.summary());
            // conmon was seen, in the host's namespace, and set aside
            List<PodProcess> all = resolver.scan().processesByPod().get(uid);
            assertTrue(
                    all.stream()
                            .anyMatch(p ->
                                    p.pid() == conmon.pid() && p.cgroup().isConmon() && p.netnsInode() == hostNetns),
                    "conmon recorded as such: " + all);
        }
    }
}
