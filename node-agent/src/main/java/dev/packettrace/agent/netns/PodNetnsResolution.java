// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent.netns;

import java.util.List;

/** The outcome of resolving one pod: its network namespace(s), or why none was found on this node. */
public sealed interface PodNetnsResolution permits PodNetns, PodNetnsNotFound {

    String podUid();

    /** Processes that could not be read and might have belonged to this pod. */
    List<ScanProblem> problems();

    /** One sentence for logs and the PacketTrace status. */
    String summary();
}
