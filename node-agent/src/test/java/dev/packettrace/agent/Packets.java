// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import dev.packettrace.tracer.PacketEvent;
import dev.packettrace.tracer.Tuple;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/** Packet events for the agent tests, built from literals. */
final class Packets {

    private static final AtomicLong CLOCK = new AtomicLong(1_000_000_000L);

    private Packets() {}

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    /** TCP 10.0.0.1:40000 -> 10.0.0.2:dport passing net:netif_receive_skb in namespace netns. */
    static PacketEvent tcp(long skb, long netns, int dport) {
        return event(skb, netns, dport, "net:netif_receive_skb", Optional.empty(), Optional.empty());
    }

    /** The same flow dropped by netfilter. */
    static PacketEvent drop(long skb, long netns, int dport) {
        return event(
                skb, netns, dport, "skb:kfree_skb", Optional.of("NETFILTER_DROP"), Optional.of("nf_hook_slow+0x9c"));
    }

    static PacketEvent drop(long skb, long netns, int dport, String reason, String location) {
        return event(skb, netns, dport, "skb:kfree_skb", Optional.of(reason), Optional.of(location));
    }

    /** The skb freed normally. */
    static PacketEvent consumed(long skb, long netns, int dport) {
        return event(skb, netns, dport, "skb:consume_skb", Optional.empty(), Optional.empty());
    }

    /** The flow entering a kernel function (function-level backends). */
    static PacketEvent function(long skb, long netns, int dport, String function) {
        return event(
                skb,
                netns,
                dport,
                function,
                PacketEvent.ProbeKind.FUNCTION,
                Optional.empty(),
                Optional.empty(),
                List.of());
    }

    static PacketEvent event(
            long skb, long netns, int dport, String probe, Optional<String> reason, Optional<String> location) {
        return event(
                skb,
                netns,
                dport,
                probe,
                PacketEvent.ProbeKind.TRACEPOINT,
                reason,
                location,
                List.of("nf_hook_slow+0x9c"));
    }

    private static PacketEvent event(
            long skb,
            long netns,
            int dport,
            String probe,
            PacketEvent.ProbeKind kind,
            Optional<String> reason,
            Optional<String> location,
            List<String> stack) {
        return new PacketEvent(
                CLOCK.incrementAndGet(),
                skb,
                0,
                42,
                "nc",
                netns,
                2,
                "eth0",
                0,
                60,
                0x0800,
                Optional.of(new Tuple(ip("10.0.0.1"), ip("10.0.0.2"), 40000, dport, 6)),
                probe,
                kind,
                reason,
                location,
                stack,
                false);
    }
}
