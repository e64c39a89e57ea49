// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import static dev.packettrace.testing.SyntheticProc.NODE_NETNS;
import static dev.packettrace.testing.SyntheticProc.cgroupfsPodDir;
import static dev.packettrace.testing.SyntheticProc.v1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packettrace.api.v1alpha1.TargetState;
import dev.packettrace.api.v1alpha1.TargetStatus;
import dev.packettrace.testing.SyntheticProc;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How one target's namespace is found and followed, against synthetic /proc trees. */
class TargetResolutionTest {

    static final String UID = "5f3c2a1e-7b9d-4c2e-8a41-0d6e9f1b2c3a";
    static final String NEW_UID = "0b8e4d2a-91c7-4f6e-b3a5-7c2d1e9f8a6b";
    static final long NETNS = 4026532301L;
    static final long NEW_NETNS = 4026532455L;
    static final TargetStatus TARGET = new TargetStatus("web-0", UID, "node-a", null, TargetState.Scheduled, null);

    @TempDir
    Path root;

    static String cgroup(String uid, int container) {
        return v1(cgroupfsPodDir("burstable", uid) + "/" + String.format("%064x", container));
    }

    static Pod pod(String uid, boolean hostNetwork, String... runningContainers) {
        PodBuilder b = new PodBuilder()
                .withNewMetadata()
                .withName("web-0")
                .withNamespace("ns")
                .withUid(uid)
                .endMetadata()
                .withNewSpec()
                .withNodeName("node-a")
                .withHostNetwork(hostNetwork)
                .endSpec();
        var status = b.withNewStatus().withPhase("Running");
        for (String id : runningContainers) {
            status = status.addNewContainerStatus()
                    .withName("c")
                    .withContainerID("containerd://" + id)
                    .withNewState()
                    .withNewRunning()
                    .endRunning()
                    .endState()
                    .endContainerStatus();
        }
        return status.endStatus().build();
    }

    ResolvedTarget resolve(SyntheticProc proc, Optional<Pod> pod, Optional<ResolvedTarget> previous) {
        return TargetResolution.resolve(TARGET, pod, proc.resolver().scan(), previous);
    }

    @Test
    void aPodInItsOwnNamespaceIsTraced() {
        SyntheticProc proc = SyntheticProc.node(root).process(100, cgroup(UID, 1), NETNS);
        ResolvedTarget r = resolve(proc, Optional.empty(), Optional.empty());
        assertEquals(ResolvedTarget.of("web-0", UID, Set.of(NETNS), TargetState.Tracing, null), r);
        assertEquals(new TargetStatus("web-0", UID, "node-a", NETNS, TargetState.Tracing, null), r.toStatus("node-a"));
    }

    @Test
    void aHostNetworkPodIsTracedInTheNodesNamespaceAndSaysSo() {
        SyntheticProc proc = SyntheticProc.node(root).process(100, cgroup(UID, 1), NODE_NETNS);
        ResolvedTarget r = resolve(proc, Optional.of(pod(UID, true)), Optional.empty());
        assertEquals(TargetState.HostNetwork, r.state());
        assertEquals(Set.of(NODE_NETNS), r.netns());
        assertTrue(r.message().orElseThrow().contains("node's"), r.message().toString());
    }

    @Test
    void aNewSandboxIsFollowedAndTheTargetStaysMarkedRestarted() {
        SyntheticProc proc = SyntheticProc.node(root).process(101, cgroup(UID, 2), NEW_NETNS);
        ResolvedTarget before = ResolvedTarget.of("web-0", UID, Set.of(NETNS), TargetState.Tracing, null);
        ResolvedTarget r = resolve(proc, Optional.empty(), Optional.of(before));
        assertEquals(TargetState.Restarted, r.state());
        assertEquals(Set.of(NEW_NETNS), r.netns());
        assertTrue(
                r.message().orElseThrow().contains("changed from " + NETNS + " to " + NEW_NETNS),
                r.message().toString());
        ResolvedTarget again = resolve(proc, Optional.empty(), Optional.of(r));
        assertEquals(r, again, "stays Restarted with its story");
    }

    @Test
    void aPodRecreatedUnderTheSameNameIsFollowedByItsLiveUid() {
        SyntheticProc proc = SyntheticProc.node(root).process(100, cgroup(NEW_UID, 1), NEW_NETNS);
        ResolvedTarget before = ResolvedTarget.of("web-0", UID, Set.of(NETNS), TargetState.Tracing, null);
        ResolvedTarget r = resolve(proc, Optional.of(pod(NEW_UID, false)), Optional.of(before));
        assertEquals(TargetState.Restarted, r.state());
        assertEquals(NEW_UID, r.podUid());
        assertTrue(
                r.message().orElseThrow().contains("recreated (uid " + UID + " -> " + NEW_UID + ")"),
                r.message().toString());
    }

    @Test
    void aPodWithoutProcessesIsWaitedForAndOneThatWentAwayIsMarked() {
        SyntheticProc proc = SyntheticProc.node(root);
        ResolvedTarget fresh = resolve(proc, Optional.empty(), Optional.empty());
        assertEquals(TargetState.Scheduled, fresh.state());
        assertEquals(Set.of(), fresh.netns());
        assertTrue(
                fresh.message().orElseThrow().startsWith("waiting for the pod's processes"),
                fresh.message().toString());

        ResolvedTarget gone = resolve(
                proc,
                Optional.empty(),
                Optional.of(ResolvedTarget.of("web-0", UID, Set.of(NETNS), TargetState.Tracing, null)));
        assertEquals(TargetState.Restarted, gone.state());
        assertTrue(
                gone.message().orElseThrow().contains("last traced " + NETNS),
                gone.message().toString());
    }

    @Test
    void unreadableProcessesMakeTheTargetFailWithTheReason() {
        SyntheticProc proc = SyntheticProc.node(root).unreadableCgroup(300);
        ResolvedTarget r = resolve(proc, Optional.empty(), Optional.empty());
        assertEquals(TargetState.Failed, r.state());
        assertTrue(r.message().orElseThrow().contains("pid 300"), r.message().toString());
    }

    @Test
    void whenAnOldAndANewSandboxOverlapTheRunningContainerDecides() {
        String newId = String.format("%064x", 2);
        SyntheticProc proc =
                SyntheticProc.node(root).process(100, cgroup(UID, 1), NETNS).process(101, cgroup(UID, 2), NEW_NETNS);
        ResolvedTarget both = resolve(proc, Optional.empty(), Optional.empty());
        assertEquals(Set.of(NETNS, NEW_NETNS), both.netns(), "without the Pod's container list both are traced");
        ResolvedTarget current = resolve(proc, Optional.of(pod(UID, false, newId)), Optional.empty());
        assertEquals(Set.of(NEW_NETNS), current.netns());
        assertEquals(TargetState.Tracing, current.state());
    }
}
