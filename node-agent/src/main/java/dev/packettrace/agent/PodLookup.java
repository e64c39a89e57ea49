// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.Optional;

/** The agent's view of the Pods on its node (its watch's cache). */
@FunctionalInterface
interface PodLookup {

    /** The pod, when it exists and runs on this node. */
    Optional<Pod> get(String namespace, String name);
}
