// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent.netns;

import static dev.packettrace.testing.SyntheticProc.NODE_NETNS;
import static dev.packettrace.testing.SyntheticProc.cgroupfsPodDir;
import static dev.packettrace.testing.SyntheticProc.systemdPodSlice;
import static dev.packettrace.testing.SyntheticProc.v1;
import static dev.packettrace.testing.SyntheticProc.v2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.testing.SyntheticProc;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The resolver against synthetic /proc trees for each cgroup version, driver and runtime. */
class PodNetnsResolverTest {

    private static final String UID_A = "5f3c2a1e-7b9d-4c2e-8a41-0d6e9f1b2c3a";
    private static final String UID_B = "0b8e4d2a-91c7-4f6e-b3a5-7c2d1e9f8a6b";
    private static final String CID_1 = "3f1e9a7c5b2d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f";
    private static final String CID_2 = "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b";
    private static final long POD_NETNS = 4026532301L;
    private static final long OTHER_NETNS = 4026532455L;

    @TempDir
    Path root;

    private PodNetns resolved(PodNetnsResolution resolution) {
        return assertInstanceOf(PodNetns.class, resolution, () -> "expected a namespace, got " + resolution.summary());
    }

    private void assertPodIn(PodNetnsResolution resolution, long inode, Set<Integer> pids) {
        PodNetns netns = resolved(resolution);
        assertEquals(Optional.of(inode), netns.inode());
        assertEquals(Set.of(inode), netns.inodes());
        assertEquals(pids, netns.pids());
        assertTrue(netns.consistent());
        assertFalse(netns.hostNetwork(), netns.summary());
        assertEquals(List.of(), netns.problems());
    }

    @Test
    void cgroupV2SystemdDriverContainerd() {
        SyntheticProc proc = SyntheticProc.node(root)
                .process(
                        4100,
                        v2(systemdPodSlice("besteffort", UID_A) + "/cri-containerd-" + CID_1 + ".scope"),
                        POD_NETNS)
                .process(
                        4101,
                        v2(systemdPodSlice("besteffort", UID_A) + "/cri-containerd-" + CID_2 + ".scope"),
                        POD_NETNS)
                .process(4200, v2("/system.slice/containerd.service"), NODE_NETNS);
        assertPodIn(proc.resolver().resolve(UID_A), POD_NETNS, Set.of(4100, 4101));
    }

    @Test
    void cgroupV2GuaranteedPodHasNoQosSlice() {
        SyntheticProc proc = SyntheticProc.node(root)
                .process(77, v2(systemdPodSlice("", UID_A) + "/cri-containerd-" + CID_1 + ".scope"), POD_NETNS);
        assertPodIn(proc.resolver().resolve(UID_A), POD_NETNS, Set.of(77));
    }

    @Test
    void cgroupV2CgroupfsDriver() {
        SyntheticProc proc = SyntheticProc.node(root)
                .process(300, v2(cgroupfsPodDir("burstable", UID_A) + "/" + CID_1), POD_NETNS)
                .process(301, v2(cgroupfsPodDir("burstable", UID_B) + "/" + CID_2), OTHER_NETNS);
        assertPodIn(proc.resolver().resolve(UID_A), POD_NETNS, Set.of(300));
        assertPodIn(proc.resolver().resolve(UID_B), OTHER_NETNS, Set.of(301));
    }

    @Test
    void cgroupV1CgroupfsDriverGuaranteedAndBestEffort() {
        SyntheticProc proc = SyntheticProc.node(root)
                .process(500, v1(cgroupfsPodDir("", UID_A) + "/" + CID_1), POD_NETNS)
                .process(501, v1(cgroupfsPodDir("besteffort", UID_B) + "/" + CID_2), OTHER_NETNS)
                .process(502, v1("/"), NODE_NETNS);
        assertPodIn(proc.resolver().resolve(UID_A), POD_NETNS, Set.of(500));
        assertPodIn(proc.resolver().resolve(UID_B), OTHER_NETNS, Set.of(501));
    }

    @Test
    void cgroupV1SystemdDriverWithDockerScopes() {
        SyntheticProc proc = SyntheticProc.node(root)
                .process(610, v1(systemdPodSlice("burstable", UID_A) + "/docker-" + CID_1 + ".scope"), POD_NETNS)
                .process(611, v1(systemdPodSlice("burstable", UID_A) + "/docker-" + CID_2 + ".scope"), POD_NETNS);
        assertPodIn(proc.resolver().resolve(UID_A), POD_NETNS, Set.of(610, 611));
    }

    @Test
    void cgroupV1OnlyTheNamedSystemdHierarchyCarriesThePod() {
        // Hybrid nodes: controllers elsewhere, the pod only visible in name=systemd.
        String file = "4:pids:/\n3:memory:/\n1:name=systemd:" + systemdPodSlice("besteffort", UID_A) + "/crio-" + CID_1
                + ".scope\n0::/\n";
        SyntheticProc proc = SyntheticProc.node(root).process(9, file, POD_NETNS);
        assertPodIn(proc.resolver().resolve(UID_A), POD_NETNS, Set.of(9));
    }

    @Test
    void crioConmonIsExcludedBecauseItIsNotInThePodNamespace() {
        String pod = systemdPodSlice("besteffort", UID_A);
        SyntheticProc proc = SyntheticProc.node(root)
                .process(700, v2(pod + "/crio-conmon-" + CID_1 + ".scope"), NODE_NETNS)
                .process(701, v2(pod + "/crio-" + CID_1 + ".scope"), POD_NETNS);
        // Were conmon counted, the pod would look split across its own and the node's namespace.
        assertPodIn(proc.resolver().resolve(UID_A), POD_NETNS, Set.of(701));
    }

    @Test
    void onlyConmonLeftMeansNotFoundAndSaysWhy() {
        SyntheticProc proc = SyntheticProc.node(root)
                .process(700, v1(cgroupfsPodDir("besteffort", UID_A) + "/crio-conmon-" + CID_1), NODE_NETNS);
        PodNetnsNotFound notFound =
                assertInstanceOf(PodNetnsNotFound.class, proc.resolver().resolve(UID_A));
        assertTrue(notFound.reason().contains("conmon") && notFound.reason().contains("700"), notFound.reason());
    }

    @Test
    void containerFilterAcceptsRuntimeSchemesAndNarrowsTheProcesses() {
        String pod = systemdPodSlice("besteffort", UID_A);
        SyntheticProc proc = SyntheticProc.node(root)
                .process(800, v2(pod + "/cri-containerd-" + CID_1 + ".scope"), POD_NETNS)
                .process(801, v2(pod + "/cri-containerd-" + CID_2 + ".scope"), POD_NETNS);
        PodNetns netns = resolved(proc.resolver().resolve(UID_A, Set.of("containerd://" + CID_2)));
        assertEquals(Set.of(801), netns.pids());

        PodNetnsNotFound none = assertInstanceOf(
                PodNetnsNotFound.class, proc.resolver().resolve(UID_A, Set.of("cri-o://" + "ab".repeat(32))));
        assertTrue(none.reason().contains(CID_1) && none.reason().contains(CID_2), none.reason());
    }

    @Test
    void podUidsSharingAPrefixAreNotConfused() {
        String longer = UID_A + "0";
        SyntheticProc proc = SyntheticProc.node(root)
                .process(900, v2(cgroupfsPodDir("besteffort", UID_A) + "/" + CID_1), POD_NETNS)
                .process(901, v2(cgroupfsPodDir("besteffort", longer) + "/" + CID_2), OTHER_NETNS)
                .process(
                        902,
                        v2(systemdPodSlice("besteffort", longer) + "/cri-containerd-" + CID_2 + ".scope"),
                        OTHER_NETNS);
        assertPodIn(proc.resolver().resolve(UID_A), POD_NETNS, Set.of(900));
        assertPodIn(proc.resolver().resolve(longer), OTHER_NETNS, Set.of(901, 902));
        String prefix = UID_A.substring(0, 8);
        assertInstanceOf(PodNetnsNotFound.class, proc.resolver().resolve(prefix));
    }

    @Test
    void podWithoutProcessesOnThisNodeIsNotFoundWithAReason() {
        SyntheticProc proc = SyntheticProc.node(root)
                .process(1000, v2(cgroupfsPodDir("besteffort", UID_A) + "/" + CID_1), POD_NETNS)
                .nonProcessEntries();
        PodNetnsNotFound notFound =
                assertInstanceOf(PodNetnsNotFound.class, proc.resolver().resolve(UID_B));
        assertEquals(UID_B, notFound.podUid());
        assertTrue(notFound.reason().contains("no process on this node"), notFound.reason());
        assertEquals(List.of(), notFound.problems());
    }

    @Test
    void processesThatExitMidScanAreSkippedSilently() {
        SyntheticProc proc = SyntheticProc.node(root)
                .vanished(1100) // gone before cgroup read
                .processWithoutNetns(1101, v2(cgroupfsPodDir("besteffort", UID_A) + "/" + CID_1)) // gone before ns read
                .process(1102, v2(cgroupfsPodDir("besteffort", UID_A) + "/" + CID_2), POD_NETNS)
                .processWithoutNetns(1103, v2(cgroupfsPodDir("besteffort", UID_B) + "/" + CID_1));
        assertPodIn(proc.resolver().resolve(UID_A), POD_NETNS, Set.of(1102));
        PodNetnsNotFound gone =
                assertInstanceOf(PodNetnsNotFound.class, proc.resolver().resolve(UID_B));
        assertEquals(List.of(), gone.problems());
    }

    @Test
    void unreadableProcessesAreReportedToTheResolutionsTheyMayAffect() {
        SyntheticProc proc = SyntheticProc.node(root)
                .unreadableCgroup(1200)
                .processWithoutNetns(1201, v2(cgroupfsPodDir("besteffort", UID_A) + "/" + CID_1))
                .nsLink(1201, "mnt:[4026531841]")
                .process(1202, v2(cgroupfsPodDir("besteffort", UID_B) + "/" + CID_2), OTHER_NETNS);

        PodNetnsNotFound a =
                assertInstanceOf(PodNetnsNotFound.class, proc.resolver().resolve(UID_A));
        assertEquals(
                Set.of(1200, 1201),
                Set.copyOf(a.problems().stream().map(ScanProblem::pid).toList()),
                a.summary());
        ScanProblem nsProblem =
                a.problems().stream().filter(p -> p.pid() == 1201).findFirst().orElseThrow();
        assertEquals(Optional.of(UID_A), nsProblem.podUid());
        assertTrue(nsProblem.problem().contains("mnt namespace"), nsProblem.problem());

        // Pod B resolves, but is told that one process (whose pod is unknown) could not be read.
        PodNetns b = resolved(proc.resolver().resolve(UID_B));
        assertEquals(List.of(1200), b.problems().stream().map(ScanProblem::pid).toList());
        assertTrue(
                b.problems().getFirst().problem().contains("cgroup"),
                b.problems().getFirst().problem());
    }

    @Test
    void hostNetworkPodSharesTheNodeNamespaceAndSaysSo() {
        SyntheticProc proc = SyntheticProc.node(root)
                .process(1300, v1(cgroupfsPodDir("burstable", UID_A) + "/" + CID_1), NODE_NETNS)
                .process(1301, v1(cgroupfsPodDir("burstable", UID_B) + "/" + CID_2), POD_NETNS);
        PodNetns host = resolved(proc.resolver().resolve(UID_A));
        assertTrue(host.hostNetwork());
        assertEquals(Optional.of(NODE_NETNS), host.inode());
        assertEquals(Optional.of(NODE_NETNS), host.nodeNetns());
        assertTrue(host.summary().contains("node's own namespace"), host.summary());
        PodNetns pod = resolved(proc.resolver().resolve(UID_B));
        assertFalse(pod.hostNetwork());
        assertEquals(Optional.of(NODE_NETNS), pod.nodeNetns());
    }

    @Test
    void unreadableNodeNamespaceLeavesHostNetworkUnknownAndReported() {
        SyntheticProc proc = new SyntheticProc(root) // no PID 1
                .process(1400, v2(cgroupfsPodDir("besteffort", UID_A) + "/" + CID_1), NODE_NETNS);
        PodNetns netns = resolved(proc.resolver().resolve(UID_A));
        assertFalse(netns.hostNetwork());
        assertEquals(Optional.empty(), netns.nodeNetns());
        assertEquals(List.of(1), netns.problems().stream().map(ScanProblem::pid).toList());
        assertTrue(netns.summary().contains("unknown"), netns.summary());
    }

    @Test
    void processesOfOnePodInDifferentNamespacesAreAllReported() {
        SyntheticProc proc = SyntheticProc.node(root)
                .process(1500, v2(cgroupfsPodDir("besteffort", UID_A) + "/" + CID_1), POD_NETNS)
                .process(1501, v2(cgroupfsPodDir("besteffort", UID_A) + "/" + CID_1), POD_NETNS)
                .process(1502, v2(cgroupfsPodDir("besteffort", UID_A) + "/" + CID_2), OTHER_NETNS);
        PodNetns netns = resolved(proc.resolver().resolve(UID_A));
        assertFalse(netns.consistent());
        assertEquals(Optional.empty(), netns.inode());
        assertEquals(Map.of(POD_NETNS, Set.of(1500, 1501), OTHER_NETNS, Set.of(1502)), netns.pidsByInode());
        assertTrue(netns.summary().contains("2 different network namespaces"), netns.summary());
    }

    @Test
    void oneScanIndexesEveryPodOnTheNode() {
        SyntheticProc proc = SyntheticProc.node(root)
                .process(1600, v1(cgroupfsPodDir("", UID_A) + "/" + CID_1), POD_NETNS)
                .process(
                        1601,
                        v2(systemdPodSlice("burstable", UID_B) + "/cri-containerd-" + CID_2 + ".scope"),
                        OTHER_NETNS)
                .process(1602, v2("/system.slice/sshd.service"), NODE_NETNS)
                .nonProcessEntries();
        ProcScan scan = proc.resolver().scan();
        assertEquals(4, scan.processesScanned());
        assertEquals(Set.of(UID_A, UID_B), scan.podUids());
        assertEquals(Optional.of(NODE_NETNS), scan.nodeNetns());
        assertEquals(Optional.of(POD_NETNS), resolved(scan.resolve(UID_A)).inode());
        assertEquals(Optional.of(OTHER_NETNS), resolved(scan.resolve(UID_B)).inode());
        PodProcess b = scan.processesByPod().get(UID_B).getFirst();
        assertEquals(
                Optional.of(new ContainerCgroup(CID_2, ContainerRuntime.CONTAINERD)),
                b.cgroup().container());
    }

    @Test
    void netnsLinkTextIsReadAndNonLinksFallBackToTheirInode() throws Exception {
        SyntheticProc proc = SyntheticProc.node(root);
        assertEquals(NODE_NETNS, NetnsInode.of(proc.root().resolve("1/ns/net")));
        Path plain = java.nio.file.Files.writeString(root.resolve("bind-mount-stand-in"), "");
        long ino = ((Number) java.nio.file.Files.getAttribute(plain, "unix:ino")).longValue();
        assertEquals(ino, NetnsInode.of(plain));
    }

    @Test
    void badInputIsRejectedNamingTheField() {
        PodNetnsResolver resolver = SyntheticProc.node(root).resolver();
        IllegalArgumentException uid = assertThrows(IllegalArgumentException.class, () -> resolver.resolve("../pod"));
        assertTrue(uid.getMessage().startsWith("podUid:"), uid.getMessage());
        IllegalArgumentException cid =
                assertThrows(IllegalArgumentException.class, () -> resolver.resolve(UID_A, Set.of("containerd://")));
        assertTrue(cid.getMessage().startsWith("containerIds:"), cid.getMessage());
        IllegalArgumentException pid =
                assertThrows(IllegalArgumentException.class, () -> new PodNetnsResolver(root, 0));
        assertTrue(pid.getMessage().startsWith("nodeReferencePid:"), pid.getMessage());
    }

    @Test
    void missingProcRootIsAnErrorNamingIt() {
        Path missing = root.resolve("no-such-proc");
        PodNetnsException e = assertThrows(PodNetnsException.class, () -> new PodNetnsResolver(missing).scan());
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }
}
