// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import dev.packettrace.api.report.NodeReportPublisher;
import dev.packettrace.api.v1alpha1.NodeReport;
import dev.packettrace.api.v1alpha1.PacketTrace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes node reports on a thread of its own, so that a slow or unreachable API server never stalls the
 * thread that reads the tracer's ring buffer. Per trace only the newest snapshot waits to be sent: reports
 * are complete snapshots, so a newer one replaces an unsent older one and nothing is lost by skipping it.
 * A failed write is retried (after {@link #RETRY_DELAY}) unless a newer snapshot arrived meanwhile.
 */
final class ReportSender implements AutoCloseable {

    static final Duration RETRY_DELAY = Duration.ofSeconds(1);
    private static final System.Logger LOG = System.getLogger(ReportSender.class.getName());

    private final NodeReportPublisher publisher;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<String, Pending> pending = new LinkedHashMap<>();
    private final Thread worker;
    private int inFlight;
    private boolean closed;

    ReportSender(NodeReportPublisher publisher) {
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.worker =
                Thread.ofPlatform().name("packettrace-report-sender").daemon().start(this::run);
    }

    /** Queues the snapshot, replacing an unsent one of the same trace. */
    void submit(PacketTrace trace, NodeReport report) {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the report sender is closed");
            }
            pending.put(trace.getMetadata().getUid(), new Pending(trace, report, 0));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until every queued snapshot was written (or failed for good); false when the timeout passed first. */
    boolean awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (!pending.isEmpty() || inFlight > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.awaitNanos(left);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Sends what is queued (waiting at most {@code timeout}), then stops. */
    void close(Duration timeout) {
        boolean idle = awaitIdle(timeout);
        lock.lock();
        try {
            closed = true;
            if (!idle) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "reports=unsent count={0} reason=\"API server did not accept them within {1} s\"",
                        Integer.toString(pending.size()),
                        Long.toString(timeout.toSeconds()));
            }
            pending.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            worker.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    private void run() {
        while (true) {
            List<Pending> batch;
            lock.lock();
            try {
                while (pending.isEmpty() && !closed) {
                    changed.awaitUninterruptibly();
                }
                if (closed) {
                    return;
                }
                batch = new ArrayList<>(pending.values());
                pending.clear();
                inFlight = batch.size();
            } finally {
                lock.unlock();
            }
            boolean anyFailed = false;
            for (Pending p : batch) {
                boolean ok = send(p);
                lock.lock();
                try {
                    inFlight--;
                    if (!ok) {
                        anyFailed = true;
                        // retry this snapshot unless a newer one for the trace is already waiting
                        pending.putIfAbsent(
                                p.trace().getMetadata().getUid(), new Pending(p.trace(), p.report(), p.attempts() + 1));
                    }
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
            if (anyFailed) {
                pauseBeforeRetry();
            }
        }
    }

    private boolean send(Pending p) {
        try {
            publisher.publish(p.trace(), p.report());
            LOG.log(
                    System.Logger.Level.DEBUG,
                    "report=sent trace={0} state={1} events={2}",
                    p.trace().key(),
                    p.report().state(),
                    Long.toString(p.report().events()));
            return true;
        } catch (RuntimeException e) {
            if (p.attempts() % 30 != 0) {
                return false; // said already; one line per half minute of retrying is enough
            }
            LOG.log(
                    System.Logger.Level.WARNING,
                    "report=failed trace={0} state={1} attempt={2} error=\"{3}\"",
                    p.trace().key(),
                    p.report().state(),
                    Integer.toString(p.attempts() + 1),
                    e.getMessage());
            return false;
        }
    }

    /** Waits before retrying, waking early when the sender closes. */
    private void pauseBeforeRetry() {
        lock.lock();
        try {
            if (!closed) {
                changed.await(RETRY_DELAY.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    private record Pending(PacketTrace trace, NodeReport report, int attempts) {}
}
