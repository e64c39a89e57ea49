// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Kubelet cgroup names: which paths belong to which pod and container, and which belong to none. */
class PodCgroupNamesTest {

    private static final String UID = "5f3c2a1e-7b9d-4c2e-8a41-0d6e9f1b2c3a";
    private static final String UID_ = UID.replace('-', '_');
    private static final String CID = "3f1e9a7c5b2d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f";

    static Stream<Arguments> podPaths() {
        return Stream.of(
                Arguments.of("/kubepods/pod" + UID + "/" + CID, UID, CID, ContainerRuntime.UNKNOWN),
                Arguments.of("/kubepods/besteffort/pod" + UID + "/" + CID, UID, CID, ContainerRuntime.UNKNOWN),
                Arguments.of("/kubepods/burstable/pod" + UID + "/crio-" + CID, UID, CID, ContainerRuntime.CRIO),
                Arguments.of(
                        "/kubepods/burstable/pod" + UID + "/crio-conmon-" + CID,
                        UID,
                        CID,
                        ContainerRuntime.CRIO_CONMON),
                Arguments.of(
                        "/kubepods.slice/kubepods-pod" + UID_ + ".slice/cri-containerd-" + CID + ".scope",
                        UID,
                        CID,
                        ContainerRuntime.CONTAINERD),
                Arguments.of(
                        "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + UID_ + ".slice/crio-"
                                + CID + ".scope",
                        UID,
                        CID,
                        ContainerRuntime.CRIO),
                Arguments.of(
                        "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + UID_ + ".slice/crio-conmon-"
                                + CID + ".scope",
                        UID,
                        CID,
                        ContainerRuntime.CRIO_CONMON),
                Arguments.of(
                        "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + UID_ + ".slice/docker-"
                                + CID + ".scope",
                        UID,
                        CID,
                        ContainerRuntime.DOCKER),
                // kind and other nested kubelets: a --cgroup-root above the kubelet's tree.
                Arguments.of(
                        "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod"
                                + UID_ + ".slice/cri-containerd-" + CID + ".scope",
                        UID,
                        CID,
                        ContainerRuntime.CONTAINERD),
                Arguments.of("/kubelet/kubepods/besteffort/pod" + UID + "/" + CID, UID, CID, ContainerRuntime.UNKNOWN),
                // Seen from inside a cgroup namespace, paths outside it start with "..".
                Arguments.of("/../../kubepods/burstable/pod" + UID + "/" + CID, UID, CID, ContainerRuntime.UNKNOWN),
                // Static pods: the UID is a hash of the manifest, no dashes.
                Arguments.of(
                        "/kubepods/burstable/pod3c9f0e6a1b2d4c5e8f7a6b5c4d3e2f10/" + CID,
                        "3c9f0e6a1b2d4c5e8f7a6b5c4d3e2f10",
                        CID,
                        ContainerRuntime.UNKNOWN));
    }

    @ParameterizedTest
    @MethodSource("podPaths")
    void podAndContainerAreReadFromThePath(String path, String uid, String containerId, ContainerRuntime runtime) {
        assertEquals(
                Optional.of(new PodCgroup(uid, Optional.of(new ContainerCgroup(containerId, runtime)))),
                KubeletCgroupNames.fromPath(path));
    }

    @Test
    void aProcessInThePodCgroupItselfHasNoContainer() {
        assertEquals(
                Optional.of(new PodCgroup(UID, Optional.empty())),
                KubeletCgroupNames.fromPath(
                        "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + UID_ + ".slice"));
        assertEquals(
                Optional.of(new PodCgroup(UID, Optional.empty())),
                KubeletCgroupNames.fromPath("/kubepods/besteffort/pod" + UID));
    }

    static Stream<String> foreignPaths() {
        return Stream.of(
                "/",
                "/init.scope",
                "/system.slice/containerd.service",
                "/kubepods",
                "/kubepods/besteffort",
                "/kubepods.slice/kubepods-besteffort.slice",
                "/user.slice/user-1000.slice/pod" + UID, // a "pod..." directory outside the kubelet's tree
                "/machine.slice/machine-libpod_pod_" + UID_ + ".slice/libpod-" + CID + ".scope", // podman pods
                "/system.slice/pod" + UID_ + ".slice", // a slice named pod... that is not the kubelet's
                "/kubepods/besteffort/pod", // no UID
                "/kubepods/besteffort/pod" + UID + "_x/" + CID, // not a UID
                "/kubepods.slice/kubepods-besteffort-pod.slice");
    }

    @ParameterizedTest
    @MethodSource("foreignPaths")
    void pathsOutsideTheKubeletTreeBelongToNoPod(String path) {
        assertEquals(Optional.empty(), KubeletCgroupNames.fromPath(path));
    }

    @Test
    void cgroupFileWithSeveralHierarchiesGivesOneEntryPerPodAndKeepsConmon() {
        String podDir = "/kubepods/burstable/pod" + UID;
        String file = "12:pids:" + podDir + "\n"
                + "9:memory:" + podDir + "/crio-" + CID + "\n"
                + "1:name=systemd:" + podDir + "/crio-conmon-" + CID + "\n"
                + "0::/\n";
        assertEquals(
                List.of(new PodCgroup(UID, Optional.of(new ContainerCgroup(CID, ContainerRuntime.CRIO_CONMON)))),
                KubeletCgroupNames.fromProcCgroupFile(file));
    }

    @Test
    void cgroupFileKeepsTheMostSpecificEntryAndIgnoresMalformedLines() {
        String podDir = "/kubepods/pod" + UID;
        String file = "garbage\n\n4:pids:" + podDir + "\n3:memory:" + podDir + "/" + CID + "\n";
        assertEquals(
                List.of(new PodCgroup(UID, Optional.of(new ContainerCgroup(CID, ContainerRuntime.UNKNOWN)))),
                KubeletCgroupNames.fromProcCgroupFile(file));
    }
}
