// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent.netns;

import java.util.Objects;

/** The container level of a pod cgroup path: the container ID and the runtime its name points to. */
public record ContainerCgroup(String id, ContainerRuntime runtime) {

    public ContainerCgroup {
        Objects.requireNonNull(runtime, "runtime");
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("container id: must not be empty");
        }
    }

    public boolean isConmon() {
        return runtime == ContainerRuntime.CRIO_CONMON;
    }
}
