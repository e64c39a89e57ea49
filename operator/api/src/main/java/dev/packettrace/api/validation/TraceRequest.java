// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.validation;

import io.fabric8.kubernetes.api.model.LabelSelector;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A validated PacketTrace spec with every default applied: what the operator schedules and what a node
 * agent maps onto its tracer. Only produced by {@link PacketTraceSpecValidator}.
 */
public record TraceRequest(
        Targets targets, Filter filter, Output output, Duration duration, String backend, Sink sink) {

    /** Pods in the trace's own namespace: those matching the selector plus those named. */
    public record Targets(Optional<LabelSelector> podSelector, List<String> podNames) {
        public Targets {
            podNames = List.copyOf(podNames);
        }
    }

    /**
     * The packet filter, parallel to {@code dev.packettrace.tracer.TraceFilter} (same names, same
     * meaning); the network namespaces are added by the agent from the resolved targets.
     *
     * @param srcIp normalized "address/prefix", e.g. "10.0.0.0/8" or "10.0.0.7/32"
     * @param proto tcp, udp, icmp or icmp6
     */
    public record Filter(
            OptionalLong mark,
            Optional<String> ifname,
            Optional<String> srcIp,
            Optional<String> dstIp,
            OptionalInt srcPort,
            OptionalInt dstPort,
            Optional<String> proto,
            boolean trackSkb,
            Optional<String> expression) {

        /** Without an expression. */
        public Filter(
                OptionalLong mark,
                Optional<String> ifname,
                Optional<String> srcIp,
                Optional<String> dstIp,
                OptionalInt srcPort,
                OptionalInt dstPort,
                Optional<String> proto,
                boolean trackSkb) {
            this(mark, ifname, srcIp, dstIp, srcPort, dstPort, proto, trackSkb, Optional.empty());
        }
    }

    /**
     * @param packetContent the trace asks for packet bytes; the operator refuses it unless the cluster allows it
     * @param events        which packets become events (sink and recent events); the counts cover them all
     */
    public record Output(
            boolean tuple,
            boolean meta,
            boolean stack,
            long maxEvents,
            int recentEvents,
            boolean packetContent,
            Events events) {

        public Output {
            java.util.Objects.requireNonNull(events, "events");
        }

        /** Every packet is an event. */
        public Output(
                boolean tuple, boolean meta, boolean stack, long maxEvents, int recentEvents, boolean packetContent) {
            this(tuple, meta, stack, maxEvents, recentEvents, packetContent, Events.ALL);
        }
    }

    /** spec.output.events. */
    public enum Events {
        ALL,
        DROPS,
        NONE;

        /** The spec's spelling: all, drops, none. */
        public String specName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static java.util.Optional<Events> ofSpecName(String name) {
            return java.util.Arrays.stream(values())
                    .filter(e -> e.specName().equals(name))
                    .findFirst();
        }
    }

    /** Where the agent writes the full event stream. */
    public sealed interface Sink {
        record Stdout() implements Sink {}

        /** A directory on the node, below /var/log/packettrace. */
        record HostPath(String directory) implements Sink {}
    }
}
