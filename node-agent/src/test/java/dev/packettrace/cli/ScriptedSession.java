// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.cli;

import dev.packettrace.tracer.Tracer;
import dev.packettrace.tracer.Backend;
import dev.packettrace.tracer.EventStream;
import dev.packettrace.tracer.KernelCounts;
import dev.packettrace.tracer.PacketEvent;
import dev.packettrace.tracer.TraceListener;
import dev.packettrace.tracer.TraceStats;
import dev.packettrace.tracer.TracerConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.IntFunction;

/**
 * A tracer session that delivers scripted events: poll number i (from 0) delivers script.apply(i) and then, like
 * a real poll that found nothing sooner, lets the full timeout pass on the fake clock. Like the kernel, it counts
 * every scripted event when the config keeps kernel counts, and delivers only those its event stream lets through.
 */
final class ScriptedSession implements Tracer {

    private final TraceListener listener;
    private final FakeClock clock;
    private final IntFunction<List<PacketEvent>> script;
    private final long lost;
    private final List<Duration> timeouts = Collections.synchronizedList(new ArrayList<>());
    private volatile int polls;
    private volatile boolean closed;
    private final EventStream stream;
    private final Map<List<Object>, Long> drops = new HashMap<>();
    private final Map<List<Object>, Long> hits = new HashMap<>();
    private long matched;
    private long delivered;
    final CountDownLatch firstPoll = new CountDownLatch(1);

    ScriptedSession(TraceListener listener, FakeClock clock, IntFunction<List<PacketEvent>> script, long lost,
                    EventStream stream) {
        this.stream = stream;
        this.listener = listener;
        this.clock = clock;
        this.script = script;
        this.lost = lost;
    }

    @Override
    public List<String> attachedProbes() {
        return List.of("skb:kfree_skb", "net:netif_receive_skb", "net:net_dev_queue");
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
    public Duration attachTime() {
        return Duration.ofMillis(12);
    }

    @Override
    public int poll(Duration timeout) {
        if (closed) {
            throw new IllegalStateException("poll after close");
        }
        int i = polls;
        if (timeouts.size() < 10_000) {
            timeouts.add(timeout);
        }
        List<PacketEvent> batch = script.apply(i);
        int streamed = 0;
        for (PacketEvent e : batch) {
            matched++;
            hits.merge(List.of(e.netns(), e.probe()), 1L, Long::sum);
            if (e.isDrop()) {
                drops.merge(List.of(e.netns(), e.dropReason().orElseThrow(), e.location()), 1L, Long::sum);
            }
            if (stream.events() == EventStream.Events.NONE || (stream.events() == EventStream.Events.DROPS && !e.isDrop())) {
                continue;
            }
            delivered++;
            streamed++;
            listener.onEvent(e);
        }
        clock.advance(timeout);
        polls = i + 1;
        firstPoll.countDown();
        return streamed;
    }

    @Override
    public TraceStats stats() {
        return new TraceStats(delivered, lost);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Optional<KernelCounts> kernelCounts() {
        if (!stream.kernelCounts()) {
            return Optional.empty();
        }
        List<KernelCounts.Drop> d = new ArrayList<>();
        drops.forEach((k, n) -> d.add(new KernelCounts.Drop((Long) k.get(0), (String) k.get(1), (Optional<String>) k.get(2), n)));
        List<KernelCounts.Hits> h = new ArrayList<>();
        hits.forEach((k, n) -> h.add(new KernelCounts.Hits((Long) k.get(0), (String) k.get(1), n)));
        return Optional.of(new KernelCounts(matched, 0, 0, d, h));
    }

    @Override
    public void close() {
        closed = true;
    }

    boolean closed() {
        return closed;
    }

    int polls() {
        return polls;
    }

    List<Duration> timeouts() {
        synchronized (timeouts) {
            return List.copyOf(timeouts);
        }
    }

    /** Starts ScriptedSessions and remembers the config and the session. */
    static final class Factory implements SessionFactory {
        final FakeClock clock;
        private final IntFunction<List<PacketEvent>> script;
        private final long lost;
        volatile TracerConfig config;
        volatile ScriptedSession session;

        Factory(FakeClock clock, IntFunction<List<PacketEvent>> script) {
            this(clock, script, 0);
        }

        Factory(FakeClock clock, IntFunction<List<PacketEvent>> script, long lost) {
            this.clock = clock;
            this.script = script;
            this.lost = lost;
        }

        @Override
        public Tracer start(TracerConfig config, TraceListener listener) {
            this.config = config;
            this.session = new ScriptedSession(listener, clock, script, lost, config.stream());
            return session;
        }

        Optional<ScriptedSession> started() {
            return Optional.ofNullable(session);
        }
    }
}
