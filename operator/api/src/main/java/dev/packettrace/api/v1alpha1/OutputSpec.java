// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/**
 * What each event carries (pwru's --output-tuple/--output-meta/--output-stack) and the trace's budgets.
 * Absent fields take the documented defaults when the spec is validated.
 *
 * <p>packetContent is a request, not a permission: whether packet bytes may leave a node at all is the
 * cluster administrator's decision (operator setting PACKETTRACE_ALLOW_PACKET_CONTENT, off by default).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record OutputSpec(
        @Default("true") @JsonPropertyDescription("Include the L3/L4 tuple (addresses, ports, protocol) in each event.")
        Boolean tuple,

        @Default("false")
        @JsonPropertyDescription("Include skb metadata (mark, interface, length, netns) in each event.")
        Boolean meta,

        @Default("false")
        @JsonPropertyDescription("Include the kernel stack of each event (costly: use with narrow filters).")
        Boolean stack,

        @Default("10000")
        @Min(1)
        @Max(MAX_EVENTS_LIMIT)
        @JsonPropertyDescription(
                "The trace completes after this many events in total over all nodes (the operator may cap it lower).")
        Long maxEvents,

        @Default("10")
        @Min(0)
        @Max(MAX_RECENT_EVENTS)
        @JsonPropertyDescription(
                "How many recent events to keep in status.recentEvents (0 to 25); drops are kept before other events.")
        Integer recentEvents,

        @Default("false")
        @JsonPropertyDescription(
                "Ask for packet contents (skb dumps, later packet captures). Packet contents are sensitive: "
                        + "the cluster administrator must allow them (Helm value packetContent.allowed), otherwise the trace fails.")
        Boolean packetContent,

        @Default(DEFAULT_EVENTS)
        @Pattern("^(all|drops|none)$")
        @JsonPropertyDescription("Which of the trace's packets become events, in the sink and status.recentEvents: all "
                + "(default), drops, or none. The status counts every packet either way. With drops or none, a node "
                + "whose traces all select packets by their pods alone counts in the kernel and streams only what is "
                + "asked, which costs the node a fraction of streaming every event.")
        String events) {

    public static final long DEFAULT_MAX_EVENTS = 10_000;
    public static final long MAX_EVENTS_LIMIT = 100_000_000;
    public static final int DEFAULT_RECENT_EVENTS = 10;
    public static final int MAX_RECENT_EVENTS = 25;
    public static final String DEFAULT_EVENTS = "all";

    /** The default choice of events. */
    public OutputSpec(
            Boolean tuple, Boolean meta, Boolean stack, Long maxEvents, Integer recentEvents, Boolean packetContent) {
        this(tuple, meta, stack, maxEvents, recentEvents, packetContent, null);
    }

    public static OutputSpec defaults() {
        return new OutputSpec(true, false, false, DEFAULT_MAX_EVENTS, DEFAULT_RECENT_EVENTS, false, DEFAULT_EVENTS);
    }
}
