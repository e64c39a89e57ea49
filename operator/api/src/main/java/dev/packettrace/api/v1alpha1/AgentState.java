// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.v1alpha1;

/** What a node agent is doing for one trace. */
public enum AgentState {
    /** The operator expects an agent on this node; none has reported yet. */
    Waiting,
    /** The agent is resolving targets and loading the tracer. */
    Attaching,
    /** Probes are attached and events flow. */
    Tracing,
    /** The agent detached from this trace (it ended or is being deleted). */
    Detached,
    /** The agent could not trace on this node; the message says why. */
    Failed;

    public boolean isActive() {
        return this == Attaching || this == Tracing;
    }
}
