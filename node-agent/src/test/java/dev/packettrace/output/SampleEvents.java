// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.output;

import dev.packettrace.tracer.PacketEvent;
import dev.packettrace.tracer.Tuple;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/** PacketEvents for tests, built from literals. */
public final class SampleEvents {

    public static final long SKB = 0xffff888012345678L;
    public static final long NETNS = 4026532177L;

    private SampleEvents() {}

    public static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal); // literals only: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    /** A TCP packet 10.0.0.1:5555 -> 10.0.0.2:80 passing net:netif_receive_skb on veth0 (ifindex 7). */
    public static PacketEvent tcp(long timestampNs) {
        return new PacketEvent(
                timestampNs,
                SKB,
                1,
                4242,
                "curl",
                NETNS,
                7,
                "veth0",
                0x2a,
                60,
                0x0800,
                Optional.of(new Tuple(ip("10.0.0.1"), ip("10.0.0.2"), 5555, 80, 6)),
                "net:netif_receive_skb",
                PacketEvent.ProbeKind.TRACEPOINT,
                Optional.empty(),
                Optional.empty(),
                List.of(),
                false);
    }

    /** The same skb dropped by netfilter, with a two-frame stack. */
    public static PacketEvent drop(long timestampNs) {
        return new PacketEvent(
                timestampNs,
                SKB,
                0,
                0,
                "swapper/0",
                NETNS,
                7,
                "veth0",
                0x2a,
                60,
                0x0800,
                Optional.of(new Tuple(ip("10.0.0.1"), ip("10.0.0.2"), 5555, 80, 6)),
                "skb:kfree_skb",
                PacketEvent.ProbeKind.TRACEPOINT,
                Optional.of("NETFILTER_DROP"),
                Optional.of("nf_hook_slow+0x9a"),
                List.of("kfree_skb_reason+0x1", "nf_hook_slow+0x9a"),
                false);
    }

    /** A drop with an arbitrary reason, location and namespace, for summary tests. */
    public static PacketEvent drop(String reason, Optional<String> location, long netns) {
        return new PacketEvent(
                1,
                SKB,
                0,
                0,
                "swapper/0",
                netns,
                0,
                "",
                0,
                60,
                0x0800,
                Optional.empty(),
                "skb:kfree_skb",
                PacketEvent.ProbeKind.TRACEPOINT,
                Optional.of(reason),
                location,
                List.of(),
                false);
    }

    /** An IPv6 UDP event without device, mark or process. */
    public static PacketEvent udp6(long timestampNs) {
        return new PacketEvent(
                timestampNs,
                0xffff888000000100L,
                3,
                0,
                "",
                NETNS,
                0,
                "",
                0,
                1280,
                0x86dd,
                Optional.of(new Tuple(ip("fd00::1"), ip("fd00:0:0:1::2"), 53, 40000, 17)),
                "net:net_dev_queue",
                PacketEvent.ProbeKind.TRACEPOINT,
                Optional.empty(),
                Optional.empty(),
                List.of(),
                false);
    }

    /** An event without a parsed tuple (e.g. ARP). */
    public static PacketEvent noTuple(long timestampNs, long netns) {
        return new PacketEvent(
                timestampNs,
                SKB,
                0,
                1,
                "systemd",
                netns,
                2,
                "eth0",
                0,
                42,
                0x0806,
                Optional.empty(),
                "net:net_dev_queue",
                PacketEvent.ProbeKind.TRACEPOINT,
                Optional.empty(),
                Optional.empty(),
                List.of(),
                false);
    }
}
