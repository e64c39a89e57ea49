// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Drops that share a reason and a kernel location.
 *
 * @param reason   the kernel's skb_drop_reason without its prefix, e.g. NETFILTER_DROP
 * @param location the kernel function that freed the skb, as symbol+0xoffset
 * @param nodes    how many nodes saw drops in this group
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record DropGroup(String reason, String location, Long count, Integer nodes) {}
