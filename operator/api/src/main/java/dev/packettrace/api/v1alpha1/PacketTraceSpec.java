// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * What a PacketTrace asks for. This is the wire form: fields the user left out are null here, exactly
 * as in the JSON. Code works on the validated form ({@code PacketTraceSpecValidator} turns this into a
 * {@code TraceRequest} with defaults applied and Optional where absence is normal).
 *
 * <p>The spec is immutable once created (CEL transition rule): agents compile it into their filters
 * once, and a changed trace is a new trace.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@ValidationRule(value = "self == oldSelf", message = "spec is immutable: delete the PacketTrace and create a new one")
// Record components carry their annotations to both field and accessor, so field-level CEL rules would
// be emitted twice; the cross-field and bound rules therefore live on the enclosing types.
@ValidationRule(
        value =
                "!has(self.duration) || (duration(self.duration) >= duration('1s') && duration(self.duration) <= duration('24h'))",
        message = "spec.duration must be between 1s and 24h")
public record PacketTraceSpec(
        @Required
        @JsonPropertyDescription(
                "Which pods to trace: a label selector and/or pod names, always in the PacketTrace's own namespace.")
        TargetSpec targets,

        @JsonPropertyDescription(
                "Which packets to report. Every filter that is set must match; an absent one matches everything.")
        FilterSpec filter,

        @JsonPropertyDescription("What each event carries and how many events the trace may produce.")
        OutputSpec output,

        @Default("5m")
        @Pattern(DURATION_PATTERN)
        @JsonPropertyDescription(
                "How long the trace runs once its agents are attached, e.g. 30s, 5m, 1h30m (1s to 24h; the operator may cap it lower).")
        String duration,

        @Default("tracepoint")
        @Pattern("^(auto|tracepoint)$")
        @JsonPropertyDescription(
                "How the tracer attaches to the kernel. tracepoint (default): the kernel's skb tracepoints, "
                        + "cheap for the node's other pods. auto: the best the node's kernel supports; where it has kprobes or "
                        + "fentry that probes every kernel function taking an sk_buff (about 1,500) for the trace's duration, "
                        + "for a function-level path at a cost every packet on the node pays.")
        String backend,

        @JsonPropertyDescription(
                "Where the full event stream goes. Default: the node agent's standard output as JSON lines.")
        SinkSpec sink) {

    /** Go/Kubernetes duration syntax restricted to whole h, m, s units: what CEL's duration() also accepts. */
    public static final String DURATION_PATTERN =
            "^([0-9]{1,6}h([0-9]{1,6}m)?([0-9]{1,6}s)?|[0-9]{1,6}m([0-9]{1,6}s)?|[0-9]{1,6}s)$";

    public static final String DEFAULT_DURATION = "5m";
    public static final String DEFAULT_BACKEND = "tracepoint";
}
