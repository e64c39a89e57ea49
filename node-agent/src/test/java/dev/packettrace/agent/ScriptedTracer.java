// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import dev.packettrace.tracer.Backend;
import dev.packettrace.tracer.EventStream;
import dev.packettrace.tracer.KernelCounts;
import dev.packettrace.tracer.PacketEvent;
import dev.packettrace.tracer.TraceListener;
import dev.packettrace.tracer.TraceStats;
import dev.packettrace.tracer.TracerConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A tracer without a kernel for the agent's API tests. Packets the test "sends" pass the same decisions as
 * the BPF program's (bpf/include/emit.h): a tracked skb is always reported and marked tracked; otherwise
 * only packets in the traced namespaces are, and with track-skb they are then followed until freed. So the
 * agent sees what the real tracer would show it, including tracked events from namespaces it did not ask for.
 * Like bpf/include/counts.h, a tracer started with kernel counts counts every reported packet and delivers only
 * those its event stream lets through.
 */
final class ScriptedTracer implements NodeTracer {

    private final TracerConfig config;
    private final TraceListener listener;
    private final LinkedBlockingQueue<PacketEvent> wire = new LinkedBlockingQueue<>();
    private final Set<Long> tracked = new HashSet<>();
    private volatile Set<Long> netns;
    private volatile boolean closed;
    private volatile long lost;
    private long delivered;
    private final Map<List<Object>, Long> hits = new HashMap<>();
    private final Map<List<Object>, Long> drops = new HashMap<>();
    private long matched;

    ScriptedTracer(TracerConfig config, TraceListener listener) {
        this.config = config;
        this.listener = listener;
        this.netns = Set.copyOf(config.filter().netnsInodes());
    }

    TracerConfig config() {
        return config;
    }

    Set<Long> netns() {
        return netns;
    }

    boolean closed() {
        return closed;
    }

    /** A packet passes a probe: it is reported when the agent polls, if the kernel side would report it. */
    void send(PacketEvent e) {
        wire.add(e);
    }

    /** Events the ring buffer could not take, as the kernel counts them. */
    void lose(long n) {
        lost += n;
    }

    @Override
    public Backend backend() {
        return Backend.TRACEPOINT;
    }

    @Override
    public List<String> attachedProbes() {
        return List.of("skb:kfree_skb", "skb:consume_skb", "net:netif_receive_skb");
    }

    @Override
    public void setNetns(Set<Long> inodes) {
        ensureOpen();
        netns = Set.copyOf(inodes);
    }

    @Override
    public int poll(Duration timeout) {
        ensureOpen();
        try {
            PacketEvent first = wire.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (first == null) {
                return 0;
            }
            return deliver(first) + drain();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    @Override
    public int drain() {
        ensureOpen();
        int n = 0;
        PacketEvent e;
        while ((e = wire.poll()) != null) {
            n += deliver(e);
        }
        return n;
    }

    private int deliver(PacketEvent e) {
        boolean frees = e.probe().endsWith(":kfree_skb") || e.probe().endsWith(":consume_skb");
        boolean isTracked = config.filter().trackSkb() && tracked.contains(e.skb());
        if (!isTracked && !netns.contains(e.netns())) {
            return 0;
        }
        if (isTracked && frees) {
            tracked.remove(e.skb());
        } else if (!isTracked && config.filter().trackSkb() && !frees) {
            tracked.add(e.skb());
        }
        EventStream stream = config.stream();
        if (stream.kernelCounts()) {
            matched++;
            hits.merge(List.of(e.netns(), e.probe()), 1L, Long::sum);
            if (e.isDrop()) {
                drops.merge(List.of(e.netns(), e.dropReason().orElseThrow(), e.location().orElse("")), 1L, Long::sum);
            }
        }
        if (stream.events() == EventStream.Events.NONE || (stream.events() == EventStream.Events.DROPS && !e.isDrop())) {
            return 0;
        }
        PacketEvent out = isTracked == e.tracked() ? e : new PacketEvent(e.timestampNs(), e.skb(), e.cpu(), e.pid(), e.comm(),
                e.netns(), e.ifindex(), e.ifname(), e.mark(), e.len(), e.protocol(), e.tuple(), e.probe(), e.probeKind(),
                e.dropReason(), e.location(), config.captureStack() ? e.stack() : List.of(), isTracked);
        delivered++;
        listener.onEvent(out);
        return 1;
    }

    @Override
    public TraceStats stats() {
        return new TraceStats(delivered, lost);
    }

    @Override
    public Optional<KernelCounts> kernelCounts() {
        if (!config.stream().kernelCounts()) {
            return Optional.empty();
        }
        List<KernelCounts.Drop> d = new ArrayList<>();
        drops.forEach((k, n) -> d.add(new KernelCounts.Drop((Long) k.get(0), (String) k.get(1),
                ((String) k.get(2)).isEmpty() ? Optional.empty() : Optional.of((String) k.get(2)), n)));
        List<KernelCounts.Hits> h = new ArrayList<>();
        hits.forEach((k, n) -> h.add(new KernelCounts.Hits((Long) k.get(0), (String) k.get(1), n)));
        return Optional.of(new KernelCounts(matched, 0, 0, d, h));
    }

    @Override
    public void close() {
        closed = true;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("scripted tracer is closed");
        }
    }
}
