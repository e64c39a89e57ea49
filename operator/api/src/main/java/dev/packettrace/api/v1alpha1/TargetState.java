// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.v1alpha1;

/** Where a target pod stands. The operator sets the first three and Gone; node agents report the rest. */
public enum TargetState {
    /** The pod matches but has no node yet. */
    Pending,
    /** The pod runs on a node; its agent has not reported it yet. */
    Scheduled,
    /** The agent resolved the pod's network namespace and traces it. */
    Tracing,
    /** The pod's containers restarted or the pod was recreated: the agent re-resolved a new netns and traces that. */
    Restarted,
    /** The pod uses the host network: its netns is the node's, so the trace sees the node's traffic. */
    HostNetwork,
    /** The pod went away during the trace. */
    Gone,
    /** The agent could not resolve or trace the pod; the message says why. */
    Failed
}
