// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One probe hit on one sk_buff, decoded and symbolized.
 *
 * @param timestampNs  kernel monotonic clock (bpf_ktime_get_ns)
 * @param skb          the sk_buff address, the identity used by --filter-track-skb
 * @param netns        network namespace inode the skb (or its socket) belonged to at this probe
 * @param protocol     the skb's ethertype (0x0800 IPv4, 0x86dd IPv6)
 * @param probe        tracepoint name ("skb:kfree_skb") or kernel function name ("ip_rcv")
 * @param dropReason   for drops: the skb_drop_reason name without its SKB_DROP_REASON_ prefix
 * @param location     for frees: the calling kernel function as symbol+0xoffset
 * @param stack        kernel stack, innermost first, when stacks were asked for; otherwise empty
 * @param tracked      true when emitted only because the skb was tracked after an earlier match
 * @param caller       function probes with --output-caller: the calling kernel function as symbol+0xoffset
 * @param matchedExpressions the tracer's pcap-filter expressions (by text) that the packet matched in the kernel
 */
public record PacketEvent(
        long timestampNs,
        long skb,
        int cpu,
        int pid,
        String comm,
        long netns,
        int ifindex,
        String ifname,
        long mark,
        int len,
        int protocol,
        Optional<Tuple> tuple,
        String probe,
        ProbeKind probeKind,
        Optional<String> dropReason,
        Optional<String> location,
        List<String> stack,
        boolean tracked,
        Optional<String> caller,
        Set<String> matchedExpressions) {

    public PacketEvent {
        stack = List.copyOf(stack);
        matchedExpressions = Set.copyOf(matchedExpressions);
    }

    /** An event of a tracer without expressions. */
    public PacketEvent(
            long timestampNs,
            long skb,
            int cpu,
            int pid,
            String comm,
            long netns,
            int ifindex,
            String ifname,
            long mark,
            int len,
            int protocol,
            Optional<Tuple> tuple,
            String probe,
            ProbeKind probeKind,
            Optional<String> dropReason,
            Optional<String> location,
            List<String> stack,
            boolean tracked,
            Optional<String> caller) {
        this(
                timestampNs,
                skb,
                cpu,
                pid,
                comm,
                netns,
                ifindex,
                ifname,
                mark,
                len,
                protocol,
                tuple,
                probe,
                probeKind,
                dropReason,
                location,
                stack,
                tracked,
                caller,
                Set.of());
    }

    /** An event without a caller (tracepoints, or function probes without --output-caller). */
    public PacketEvent(
            long timestampNs,
            long skb,
            int cpu,
            int pid,
            String comm,
            long netns,
            int ifindex,
            String ifname,
            long mark,
            int len,
            int protocol,
            Optional<Tuple> tuple,
            String probe,
            ProbeKind probeKind,
            Optional<String> dropReason,
            Optional<String> location,
            List<String> stack,
            boolean tracked) {
        this(
                timestampNs,
                skb,
                cpu,
                pid,
                comm,
                netns,
                ifindex,
                ifname,
                mark,
                len,
                protocol,
                tuple,
                probe,
                probeKind,
                dropReason,
                location,
                stack,
                tracked,
                Optional.empty());
    }

    /** A drop is a kfree_skb hit: the kernel freed the skb as an error, with or without a reason. */
    public boolean isDrop() {
        return dropReason.isPresent();
    }

    /** Where a probe hit came from: a tracepoint or a kernel function probe (kprobe/fentry). */
    public enum ProbeKind {
        TRACEPOINT,
        FUNCTION
    }
}
