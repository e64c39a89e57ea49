// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * One target pod as the operator and the agent on its node see it.
 *
 * @param podUid     identifies the pod instance: a pod recreated under the same name gets a new uid
 * @param netnsInode the pod's network namespace inode as resolved by the node agent; absent until it did
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record TargetStatus(
        String pod,
        String podUid,
        String node,
        Long netnsInode,

        @JsonPropertyDescription("Pending, Scheduled, Tracing, Restarted, HostNetwork, Gone or Failed.")
        TargetState state,

        String message) {}
