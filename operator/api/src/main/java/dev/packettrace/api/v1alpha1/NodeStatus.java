// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One node's agent for this trace, as last reported.
 *
 * @param probesAttached how many kernel probes the agent's tracer has attached
 * @param lost           events the kernel could not hand to the agent (ring buffer full): counted, never silent
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record NodeStatus(
        String node,
        AgentState state,
        String backend,
        Integer probesAttached,
        Long events,
        Long lost,
        Long drops,
        String lastReportTime,
        String message) {}
