// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import dev.packettrace.tracer.KernelCounts;
import dev.packettrace.tracer.TraceListener;
import dev.packettrace.tracer.Tracer;
import dev.packettrace.tracer.TracerFactory;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Owns the node's one tracer and keeps it in line with what the active traces need: starts it, changes
 * its namespaces in place, or restarts it when track-skb, stacks or the backend change (those are
 * compiled into the loaded program). Before a tracer is closed, what is waiting in its ring buffer is
 * delivered, and what its kernel counted since the last read is handed on, so a restart loses nothing that had
 * already been captured or counted. Used from the agent's thread only.
 */
final class TracerControl implements AutoCloseable {

    enum Change {
        NONE,
        STARTED,
        RESTARTED,
        NETNS_UPDATED,
        STOPPED
    }

    private static final System.Logger LOG = System.getLogger(TracerControl.class.getName());

    private final TracerFactory factory;
    private final TraceListener listener;
    private final Consumer<KernelCounts> counts;
    private Tracer tracer;
    private KernelCountDeltas deltas = new KernelCountDeltas();
    private SessionSpec running;
    private long lostInClosedTracers;

    /** @param counts receives what the kernel counted since the previous read ({@link #readCounts}) */
    TracerControl(TracerFactory factory, TraceListener listener, Consumer<KernelCounts> counts) {
        this.factory = Objects.requireNonNull(factory, "factory");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.counts = Objects.requireNonNull(counts, "counts");
    }

    /**
     * Brings the tracer in line with {@code wanted} (empty: no trace needs one).
     *
     * @throws dev.packettrace.tracer.TracerException when a tracer cannot be started; none is running then
     */
    Change apply(Optional<SessionSpec> wanted) {
        if (wanted.isEmpty()) {
            return stop() ? Change.STOPPED : Change.NONE;
        }
        SessionSpec w = wanted.get();
        if (tracer != null && running.sameAttachment(w)) {
            if (running.netns().equals(w.netns())) {
                return Change.NONE;
            }
            tracer.setNetns(w.netns());
            running = w;
            LOG.log(
                    System.Logger.Level.INFO,
                    "tracer=netns-updated netns={0}",
                    Integer.toString(w.netns().size()));
            return Change.NETNS_UPDATED;
        }
        boolean restarting = stop();
        if (w.netns().isEmpty()) {
            // A tracer started without namespaces would trace the whole node: wait until a target resolves.
            return restarting ? Change.STOPPED : Change.NONE;
        }
        tracer = factory.start(w.config(), listener);
        deltas = new KernelCountDeltas();
        running = w;
        LOG.log(
                System.Logger.Level.INFO,
                "tracer={0} backend={1} probes={2} netns={3} trackSkb={4} stack={5} events={6}",
                restarting ? "restarted" : "started",
                tracer.backend().flagName(),
                Integer.toString(tracer.attachedProbes().size()),
                Integer.toString(w.netns().size()),
                w.trackSkb(),
                w.stack(),
                w.stream().events().flagName());
        return restarting ? Change.RESTARTED : Change.STARTED;
    }

    Optional<Tracer> tracer() {
        return Optional.ofNullable(tracer);
    }

    /** Waits up to timeout for events of the running tracer; 0 without one. */
    int poll(Duration timeout) {
        return tracer == null ? 0 : tracer.poll(timeout);
    }

    /** Hands on what the running tracer's kernel counted since the previous read, if it counts. */
    void readCounts() {
        if (tracer != null) {
            deltas.since(tracer.kernelCounts()).ifPresent(counts);
        }
    }

    /** Whether the running tracer counts in the kernel and streams only some of its hits. */
    boolean kernelCounted() {
        return running != null && running.stream().partial();
    }

    /** Events the kernel could not queue, over every tracer this control has run. */
    long totalLost() {
        return lostInClosedTracers + (tracer == null ? 0 : tracer.stats().lost());
    }

    @Override
    public void close() {
        stop();
    }

    private boolean stop() {
        if (tracer == null) {
            return false;
        }
        Tracer closing = tracer;
        tracer = null;
        running = null;
        try {
            closing.drain();
            deltas.since(closing.kernelCounts()).ifPresent(counts);
            lostInClosedTracers += closing.stats().lost();
        } finally {
            closing.close();
        }
        LOG.log(System.Logger.Level.INFO, "tracer=closed");
        return true;
    }
}
