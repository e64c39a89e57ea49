// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent.netns;

import java.util.Objects;
import java.util.Optional;

/**
 * Where a process sits in the kubelet's cgroup tree: the pod UID (with dashes, as in the Pod's
 * metadata.uid) and, when the process is inside a container cgroup, that container.
 */
public record PodCgroup(String podUid, Optional<ContainerCgroup> container) {

    public PodCgroup {
        PodUids.requireValid(podUid, "podUid");
        Objects.requireNonNull(container, "container");
    }

    public boolean isConmon() {
        return container.map(ContainerCgroup::isConmon).orElse(false);
    }
}
