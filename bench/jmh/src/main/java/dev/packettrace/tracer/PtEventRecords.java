// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import dev.packettrace.bindings.Btf;
import dev.packettrace.bindings.BtfKind;
import dev.packettrace.bindings.BtfType;
import dev.packettrace.kernel.KernelSymbols;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * Builds {@code struct pt_event} records as the BPF programs write them into the ring buffer: little endian, at the
 * offsets of {@link EventDecoder} (this class lives in the decoder's package to use its OFF_* constants, so a layout
 * change breaks the benchmark's build instead of silently benchmarking the old layout).
 *
 * <p>The mix follows what a trace of TCP traffic between two namespaces joined by a veth pair (both namespaces
 * filtered) looks like: per sk_buff the transmit side (net_dev_queue, net_dev_start_xmit, net_dev_xmit), the
 * receive side (netif_rx, netif_receive_skb, skb_copy_datagram_iovec) and the free (consume_skb
 * with its location). Every 16th sk_buff is dropped by netfilter instead (skb:kfree_skb with NETFILTER_DROP at
 * nf_hook_slow+0x..), every 8th is IPv6. Locations are real addresses of this kernel, so symbolization does the
 * same /proc/kallsyms lookups as in a live trace.
 */
public final class PtEventRecords {

    // Probe ids as bpf/skb_tracepoints.bpf.c numbers them.
    static final int KFREE_SKB = 0;
    static final int CONSUME_SKB = 1;
    static final int NETIF_RECEIVE_SKB = 2;
    static final int NETIF_RX = 3;
    static final int NET_DEV_QUEUE = 5;
    static final int NET_DEV_START_XMIT = 6;
    static final int NET_DEV_XMIT = 7;
    static final int SKB_COPY_DATAGRAM_IOVEC = 13;

    private static final String[][] PROBES = {
        {"skb", "kfree_skb"},
        {"skb", "consume_skb"},
        {"net", "netif_receive_skb"},
        {"net", "netif_rx"},
        {"net", "napi_gro_receive_entry"},
        {"net", "net_dev_queue"},
        {"net", "net_dev_start_xmit"},
        {"net", "net_dev_xmit"},
        {"tcp", "tcp_retransmit_skb"},
        {"tcp", "tcp_send_reset"},
        {"tcp", "tcp_receive_reset"},
        {"udp", "udp_fail_queue_rcv_skb"},
        {"sock", "sock_rcvqueue_full"},
        {"skb", "skb_copy_datagram_iovec"},
        {"tcp", "tcp_bad_csum"},
        {"net", "netif_receive_skb_entry"},
        {"net", "retired: netif_rx_entry"},
        {"net", "napi_gro_frags_entry"},
    };

    private static final long NETNS_CLIENT = 4026532177L;
    private static final long NETNS_SERVER = 4026532315L;

    private PtEventRecords() {}

    /** The tracepoint probes as the tracer's catalog describes them; only ids and names matter to the decoder. */
    public static List<TracepointProbe> probes() {
        List<TracepointProbe> probes = new ArrayList<>();
        for (int id = 0; id < PROBES.length; id++) {
            if (PROBES[id][1].startsWith("retired")) {
                continue; // an id the tracer no longer uses (skb_tracepoints.bpf.c)
            }
            String group = PROBES[id][0];
            String event = PROBES[id][1];
            probes.add(new TracepointProbe(
                    id,
                    group,
                    event,
                    "pt" + id + "_" + group + "__" + event,
                    OptionalInt.of(0),
                    OptionalInt.empty(),
                    OptionalInt.empty(),
                    OptionalInt.empty()));
        }
        return probes;
    }

    /** The value of SKB_DROP_REASON_&lt;name&gt; in this kernel's BTF. */
    public static long dropReason(Btf kernel, String name) {
        int id = kernel.find("skb_drop_reason", BtfKind.ENUM)
                .orElseThrow(() -> new IllegalStateException("kernel BTF has no enum skb_drop_reason"));
        for (BtfType.Member m : kernel.type(id).members()) {
            if (m.name().equals("SKB_DROP_REASON_" + name)) {
                return m.value();
            }
        }
        throw new IllegalStateException("kernel BTF enum skb_drop_reason has no SKB_DROP_REASON_" + name);
    }

    private static long address(KernelSymbols symbols, String function, int offset) {
        long base = symbols.addressOf(function)
                .orElseThrow(() -> new IllegalStateException("/proc/kallsyms has no " + function
                        + "; the benchmark needs real kernel addresses (run as root)"));
        return base + offset;
    }

    /**
     * Records for {@code skbs} sk_buffs (about 7 records each, as the tracer reports a veth TCP packet), each in its own direct little-endian buffer
     * like the ring buffer's memory.
     */
    public static List<ByteBuffer> build(int skbs, KernelSymbols symbols, long netfilterDrop) {
        long consumedAt = address(symbols, "tcp_recvmsg_locked", 0x3c2);
        long droppedAt = address(symbols, "nf_hook_slow", 0xa6);
        List<ByteBuffer> out = new ArrayList<>(skbs * 7);
        long ts = 1_234_567_890_123L;
        for (int i = 0; i < skbs; i++) {
            long skb = 0xffff888100000000L + (long) i * 0xe8L * 37;
            boolean v6 = i % 8 == 7;
            boolean dropped = i % 16 == 5;
            Packet p = new Packet(skb, v6, 1448 + (i % 3) * 8, 40000 + i % 64, 5201);
            ts += 3_000;
            out.add(p.record(ts++, NET_DEV_QUEUE, NETNS_CLIENT, 4, "veth-cli", "iperf3", 4242, 0));
            out.add(p.record(ts++, NET_DEV_START_XMIT, NETNS_CLIENT, 4, "veth-cli", "iperf3", 4242, 0));
            out.add(p.record(ts++, NETIF_RX, NETNS_SERVER, 5, "veth-srv", "iperf3", 4242, 0));
            out.add(p.record(ts++, NET_DEV_XMIT, NETNS_SERVER, 5, "veth-srv", "iperf3", 4242, 0));
            if (dropped) {
                out.add(p.drop(ts++, NETNS_SERVER, 5, "veth-srv", "ksoftirqd/1", 21, droppedAt, netfilterDrop));
                continue;
            }
            out.add(p.record(ts++, NETIF_RECEIVE_SKB, NETNS_SERVER, 5, "veth-srv", "ksoftirqd/1", 21, 1));
            out.add(p.record(ts++, SKB_COPY_DATAGRAM_IOVEC, NETNS_SERVER, 5, "veth-srv", "iperf3", 4243, 1));
            out.add(p.free(ts++, NETNS_SERVER, "iperf3", 4243, consumedAt));
        }
        return out;
    }

    /** The fields every record of one sk_buff shares. */
    private record Packet(long skb, boolean v6, int len, int sport, int dport) {

        ByteBuffer record(long ts, int probe, long netns, int ifindex, String ifname, String comm, int pid, int cpu) {
            ByteBuffer b = base(ts, probe, netns, ifindex, ifname, comm, pid, cpu);
            b.put(EventDecoder.OFF_FLAGS, (byte) flags(0));
            return b;
        }

        ByteBuffer drop(
                long ts, long netns, int ifindex, String ifname, String comm, int pid, long location, long reason) {
            ByteBuffer b = base(ts, KFREE_SKB, netns, ifindex, ifname, comm, pid, 1);
            b.putLong(EventDecoder.OFF_LOCATION, location);
            b.putInt(EventDecoder.OFF_DROP_REASON, (int) reason);
            b.put(EventDecoder.OFF_FLAGS, (byte) flags(EventDecoder.F_HAS_REASON | EventDecoder.F_HAS_LOCATION));
            return b;
        }

        /** consume_skb after the copy to user space: the device is gone, the netns comes from the socket. */
        ByteBuffer free(long ts, long netns, String comm, int pid, long location) {
            ByteBuffer b = base(ts, CONSUME_SKB, netns, 0, "", comm, pid, 1);
            b.putLong(EventDecoder.OFF_LOCATION, location);
            b.put(EventDecoder.OFF_FLAGS, (byte) flags(EventDecoder.F_HAS_LOCATION));
            return b;
        }

        private int flags(int extra) {
            return extra | EventDecoder.F_HAS_TUPLE | (v6 ? EventDecoder.F_IPV6 : 0);
        }

        private ByteBuffer base(
                long ts, int probe, long netns, int ifindex, String ifname, String comm, int pid, int cpu) {
            ByteBuffer b = ByteBuffer.allocateDirect(EventDecoder.BASE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            b.putLong(EventDecoder.OFF_TS_NS, ts);
            b.putLong(EventDecoder.OFF_SKB, skb);
            b.putInt(EventDecoder.OFF_PROBE_ID, probe);
            b.putInt(EventDecoder.OFF_NETNS, (int) netns);
            b.putInt(EventDecoder.OFF_MARK, 0);
            b.putInt(EventDecoder.OFF_IFINDEX, ifindex);
            b.putInt(EventDecoder.OFF_LEN, len + (v6 ? 72 : 52));
            b.putInt(EventDecoder.OFF_PID, pid);
            b.putInt(EventDecoder.OFF_CPU, cpu);
            b.putShort(EventDecoder.OFF_PROTOCOL, (short) (v6 ? 0x86dd : 0x0800));
            b.put(EventDecoder.OFF_L4PROTO, (byte) 6);
            b.putShort(EventDecoder.OFF_SPORT, (short) sport);
            b.putShort(EventDecoder.OFF_DPORT, (short) dport);
            if (v6) {
                b.put(EventDecoder.OFF_SADDR, new byte[] {(byte) 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2});
                b.put(EventDecoder.OFF_DADDR, new byte[] {(byte) 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
            } else {
                b.put(EventDecoder.OFF_SADDR, new byte[] {10, (byte) 250, 0, 2});
                b.put(EventDecoder.OFF_DADDR, new byte[] {10, (byte) 250, 0, 1});
            }
            putCString(b, EventDecoder.OFF_COMM, comm);
            putCString(b, EventDecoder.OFF_IFNAME, ifname);
            b.put(EventDecoder.OFF_PROBE_KIND, (byte) EventDecoder.KIND_TRACEPOINT);
            b.putInt(EventDecoder.OFF_STACK_BYTES, 0);
            return b;
        }

        private static void putCString(ByteBuffer b, int offset, String s) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            if (bytes.length > 15) {
                throw new IllegalArgumentException("'" + s + "' does not fit a 16-byte C string");
            }
            b.put(offset, bytes);
        }
    }
}
