// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import dev.packettrace.api.v1alpha1.NodeReport;
import dev.packettrace.api.v1alpha1.PacketTrace;
import java.util.Optional;

/** This node's last published report for a trace, from an earlier run of the agent. */
@FunctionalInterface
interface PreviousReports {

    /** Empty when there is none, or it belongs to another trace of the same name (another uid). */
    Optional<NodeReport> of(PacketTrace trace, String node);
}
