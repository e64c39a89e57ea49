// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Packet filters with the tracer core's meaning (pwru's): every filter that is set must match, an
 * absent one matches everything. Field names follow {@code dev.packettrace.tracer.TraceFilter} so the
 * node agent maps them one to one; the network namespaces come from the targets, not from here.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@ValidationRule(
        value = "!(has(self.srcPort) || has(self.dstPort)) || !has(self.proto) || self.proto in ['tcp', 'udp']",
        // fieldPath: the API server's error then names spec.filter.proto, the field the operator's validator names
        fieldPath = ".proto",
        message = "spec.filter.proto: ports only apply to tcp or udp; drop srcPort/dstPort or set proto to tcp or udp")
// Also expressed as OpenAPI minimum/maximum; the CEL rule gives one message naming both fields.
@ValidationRule(
        value = "(!has(self.srcPort) || (self.srcPort >= 1 && self.srcPort <= 65535))"
                + " && (!has(self.dstPort) || (self.dstPort >= 1 && self.dstPort <= 65535))",
        message = "spec.filter.srcPort and spec.filter.dstPort must be within 1..65535")
public record FilterSpec(
        @Pattern(IP_OR_CIDR_PATTERN)
        @JsonPropertyDescription(
                "Source IPv4/IPv6 address or CIDR, e.g. 10.0.0.7 or 10.0.0.0/8. Literal addresses only, no host names.")
        String srcIp,

        @Pattern(IP_OR_CIDR_PATTERN) @JsonPropertyDescription("Destination IPv4/IPv6 address or CIDR.")
        String dstIp,

        @Min(1) @Max(65535) @JsonPropertyDescription("Source port (tcp/udp), 1 to 65535.")
        Integer srcPort,

        @Min(1) @Max(65535) @JsonPropertyDescription("Destination port (tcp/udp), 1 to 65535.")
        Integer dstPort,

        @Pattern("^(tcp|udp|icmp|icmp6)$") @JsonPropertyDescription("L4 protocol: tcp, udp, icmp or icmp6.")
        String proto,

        @Min(0) @Max(4294967295.0) @JsonPropertyDescription("skb->mark to match (32-bit unsigned).")
        Long mark,

        @Pattern("^[^/\\s]{1,15}$")
        @JsonPropertyDescription(
                "Interface name to match (1 to 15 characters), as seen inside the target's network namespace.")
        String ifname,

        @Default("false")
        @JsonPropertyDescription(
                "Once a packet matched, follow its sk_buff until it is freed even where it no longer matches.")
        Boolean trackSkb,

        @Size(min = 1, max = MAX_EXPRESSION_LENGTH)
        @JsonPropertyDescription(
                "A pcap-filter expression, as tcpdump and pwru take it, e.g. 'tcp and dst port 443 and not net "
                        + "10.0.0.0/8'. Compiled by libpcap on the node, evaluated in the kernel on every probe, IPv4 and IPv6, and "
                        + "ANDed with the other filters. At most 1024 characters.")
        String expression) {

    /** The longest expression the CRD admits; the tracer's PcapFilter.MAX_LENGTH is the same. */
    public static final int MAX_EXPRESSION_LENGTH = 1024;

    /**
     * A cheap shape check for the API server; the operator parses the address for real
     * ({@code IpLiteral}), so this only has to keep out obvious junk such as host names.
     */
    public static final String IP_OR_CIDR_PATTERN = "^[0-9a-fA-F:.]+(/[0-9]{1,3})?$";

    public FilterSpec {
        trackSkb = trackSkb != null && trackSkb;
    }

    /** Without an expression. */
    public FilterSpec(
            String srcIp,
            String dstIp,
            Integer srcPort,
            Integer dstPort,
            String proto,
            Long mark,
            String ifname,
            Boolean trackSkb) {
        this(srcIp, dstIp, srcPort, dstPort, proto, mark, ifname, trackSkb, null);
    }

    public static FilterSpec none() {
        return new FilterSpec(null, null, null, null, null, null, null, false, null);
    }
}
