// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.testing;

import dev.packettrace.tracer.Backend;
import dev.packettrace.tracer.EventStream;
import dev.packettrace.tracer.KernelCounts;
import dev.packettrace.tracer.PacketEvent;
import dev.packettrace.tracer.TraceListener;
import dev.packettrace.tracer.TraceStats;
import dev.packettrace.tracer.Tracer;
import dev.packettrace.tracer.TracerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * A tracer without a kernel, so that the CLI and the node agent can be tested unprivileged and without
 * waiting on real traffic. It comes in two modes, for the two ways those tests drive it:
 *
 * <ul>
 *   <li>{@link #wire}: the node agent's tests "send" packets and the fake takes the kernel filter's decisions
 *       (bpf/include/emit.h): a tracked skb is always reported and marked tracked; otherwise only packets in the
 *       traced namespaces are, and with track-skb they are then followed until freed. So the agent sees what the
 *       real tracer would show it, including tracked events from namespaces it did not ask for. A poll waits in
 *       real time for a packet, since the agent runs on its own thread.</li>
 *   <li>{@link #scripted}: the CLI's tests say what each poll finds, and time stands still between polls. Poll
 *       number i (from 0) reports script.apply(i) as the kernel already filtered it, then, like a real poll that
 *       found nothing sooner, lets the full timeout pass on the test's clock; so duration and limit handling
 *       are exact.</li>
 * </ul>
 *
 * <p>In both, as bpf/include/counts.h does, a tracer started with kernel counts counts every reported packet and
 * delivers only those its event stream lets through.
 */
public final class ScriptedTracer implements Tracer {

    private static final int TIMEOUTS_KEPT = 10_000;

    private final TracerConfig config;
    private final TraceListener listener;
    private final Optional<Script> script;
    private final LinkedBlockingQueue<PacketEvent> wire = new LinkedBlockingQueue<>();
    private final Set<Long> tracked = new HashSet<>();
    private final List<Duration> timeouts = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch firstPoll = new CountDownLatch(1);
    private final Map<List<Object>, Long> hits = new HashMap<>();
    private final Map<List<Object>, Long> drops = new HashMap<>();
    private volatile Set<Long> netns;
    private volatile boolean closed;
    private volatile long lost;
    private volatile int polls;
    private long delivered;
    private long matched;

    private record Script(Consumer<Duration> timePasses, IntFunction<List<PacketEvent>> polls) {}

    private ScriptedTracer(TracerConfig config, TraceListener listener, Optional<Script> script) {
        this.config = config;
        this.listener = listener;
        this.script = script;
        this.netns = Set.copyOf(config.filter().netnsInodes());
    }

    /** Reports the packets {@link #send} puts on the wire that the kernel filter would let through. */
    public static ScriptedTracer wire(TracerConfig config, TraceListener listener) {
        return new ScriptedTracer(config, listener, Optional.empty());
    }

    /**
     * Poll i reports script.apply(i), then hands its timeout to timePasses (a fake clock's advance).
     */
    public static ScriptedTracer scripted(
            TracerConfig config,
            TraceListener listener,
            Consumer<Duration> timePasses,
            IntFunction<List<PacketEvent>> script) {
        return new ScriptedTracer(config, listener, Optional.of(new Script(timePasses, script)));
    }

    public TracerConfig config() {
        return config;
    }

    /** The namespaces the kernel filter lets through now. */
    public Set<Long> netns() {
        return netns;
    }

    public boolean closed() {
        return closed;
    }

    /** Polls so far, the zero-timeout ones included. */
    public int polls() {
        return polls;
    }

    /** Each poll's timeout, in order (the first {@value #TIMEOUTS_KEPT}). */
    public List<Duration> timeouts() {
        synchronized (timeouts) {
            return List.copyOf(timeouts);
        }
    }

    /** Counted down by the first poll, for a test that must act while the tracer runs. */
    public CountDownLatch firstPoll() {
        return firstPoll;
    }

    /** A packet passes a probe: it is reported when the tracer is polled, if the kernel side would report it. */
    public void send(PacketEvent e) {
        wire.add(e);
    }

    /** Events the ring buffer could not take, as the kernel counts them. */
    public void lose(long n) {
        lost += n;
    }

    @Override
    public Backend backend() {
        return Backend.TRACEPOINT;
    }

    @Override
    public String backendReason() {
        return "raw tracepoints only on this kernel";
    }

    @Override
    public List<String> attachedProbes() {
        return List.of("skb:kfree_skb", "skb:consume_skb", "net:netif_receive_skb");
    }

    @Override
    public Duration attachTime() {
        return Duration.ofMillis(12);
    }

    @Override
    public void setNetns(Set<Long> inodes) {
        ensureOpen();
        netns = Set.copyOf(inodes);
    }

    @Override
    public int poll(Duration timeout) {
        ensureOpen();
        int i = polls;
        if (timeouts.size() < TIMEOUTS_KEPT) {
            timeouts.add(timeout);
        }
        int n = script.isPresent() ? pollScript(script.get(), i, timeout) : pollWire(timeout);
        polls = i + 1;
        firstPoll.countDown();
        return n;
    }

    /** In the scripted mode a zero-timeout poll, which the CLI's tests count among the polls. */
    @Override
    public int drain() {
        ensureOpen();
        return script.isPresent() ? poll(Duration.ZERO) : drainWire();
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
        drops.forEach(
                (k, n) -> d.add(new KernelCounts.Drop((Long) k.get(0), (String) k.get(1), location(k.get(2)), n)));
        List<KernelCounts.Hits> h = new ArrayList<>();
        hits.forEach((k, n) -> h.add(new KernelCounts.Hits((Long) k.get(0), (String) k.get(1), n)));
        return Optional.of(new KernelCounts(matched, 0, 0, d, h));
    }

    @Override
    public void close() {
        closed = true;
    }

    private int pollScript(Script s, int i, Duration timeout) {
        int n = 0;
        for (PacketEvent e : s.polls().apply(i)) {
            n += report(e);
        }
        s.timePasses().accept(timeout);
        return n;
    }

    private int pollWire(Duration timeout) {
        try {
            PacketEvent first = wire.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (first == null) {
                return 0;
            }
            return fromWire(first) + drainWire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private int drainWire() {
        int n = 0;
        PacketEvent e;
        while ((e = wire.poll()) != null) {
            n += fromWire(e);
        }
        return n;
    }

    /** The kernel filter's decision on a packet sent on the wire, and its track-skb bookkeeping. */
    private int fromWire(PacketEvent e) {
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
        PacketEvent out = isTracked == e.tracked()
                ? e
                : new PacketEvent(
                        e.timestampNs(),
                        e.skb(),
                        e.cpu(),
                        e.pid(),
                        e.comm(),
                        e.netns(),
                        e.ifindex(),
                        e.ifname(),
                        e.mark(),
                        e.len(),
                        e.protocol(),
                        e.tuple(),
                        e.probe(),
                        e.probeKind(),
                        e.dropReason(),
                        e.location(),
                        config.captureStack() ? e.stack() : List.of(),
                        isTracked);
        return report(out);
    }

    /** A reported packet: counted when the kernel counts, delivered when the event stream lets it through. */
    private int report(PacketEvent e) {
        EventStream stream = config.stream();
        if (stream.kernelCounts()) {
            matched++;
            hits.merge(List.of(e.netns(), e.probe()), 1L, Long::sum);
            if (e.isDrop()) {
                drops.merge(List.of(e.netns(), e.dropReason().orElseThrow(), e.location()), 1L, Long::sum);
            }
        }
        if (!stream.events().streams(e.isDrop())) {
            return 0;
        }
        delivered++;
        listener.onEvent(e);
        return 1;
    }

    @SuppressWarnings("unchecked")
    private static Optional<String> location(Object key) {
        return (Optional<String>) key;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("scripted tracer is closed");
        }
    }
}
