// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One event in compact form for status and reports. The sink has the full event; this is a sample so
 * that {@code kubectl describe} shows what is happening.
 *
 * @param time     wall-clock time the agent saw it (RFC 3339)
 * @param tuple    "10.0.0.1:40000->10.0.0.2:80/tcp", when known
 * @param reason   drop reason, for drops
 * @param location kernel location, for drops
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record TraceEvent(
        String time,
        String node,
        String pod,
        String probe,
        String ifname,
        String tuple,
        String reason,
        String location) {}
