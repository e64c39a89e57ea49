// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.cli;

import dev.packettrace.output.ClockOffset;
import dev.packettrace.output.EventWriter;
import dev.packettrace.output.StopReason;
import dev.packettrace.output.TimestampFormatter;
import dev.packettrace.output.TraceSummary;
import dev.packettrace.tracer.EventStream;
import dev.packettrace.tracer.KernelCounts;
import dev.packettrace.tracer.PacketEvent;
import dev.packettrace.tracer.TraceListener;
import dev.packettrace.tracer.TraceStats;
import dev.packettrace.tracer.Tracer;
import dev.packettrace.tracer.TracerException;
import dev.packettrace.tracer.TracerFactory;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Runs one trace: starts the session, reports how it attached (on the status stream, so that stdout can stay
 * pure JSON), writes events as they come, and stops when the duration has elapsed, the line limit is reached, or
 * {@link #requestStop} is called (by {@link SignalStop} on Ctrl-C/SIGTERM, or by a caller such as a demo). It then
 * closes the session, which detaches every probe, and writes the summary after the events on the same stream.
 *
 * <p>A runner runs once. {@link #run} is called on one thread; {@link #requestStop} and {@link #awaitFinished} may
 * be called from any thread. A stop takes effect within one poll interval ({@link #POLL_INTERVAL}).
 */
public final class TraceRunner {

    /** The longest a poll waits, and so the longest a stop request waits to be seen. */
    public static final Duration POLL_INTERVAL = Duration.ofMillis(100);

    private final TracerFactory sessions;
    private final LongSupplier nanoClock;
    private final Supplier<ClockOffset> wallClock;
    private final PrintStream status;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicReference<StopReason> stopReason = new AtomicReference<>();
    private final CountDownLatch finished = new CountDownLatch(1);

    /**
     * @param sessions  starts the tracer ({@link TracerFactory#kernel()} for the real one)
     * @param nanoClock elapsed-time source for --duration (System::nanoTime; tests pass a fake one)
     * @param wallClock measures the monotonic-to-wall-clock offset, only called for --timestamp current
     * @param status    where the "Attached ..." line goes (stderr)
     */
    public TraceRunner(
            TracerFactory sessions, LongSupplier nanoClock, Supplier<ClockOffset> wallClock, PrintStream status) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.wallClock = Objects.requireNonNull(wallClock, "wallClock");
        this.status = Objects.requireNonNull(status, "status");
    }

    public RunResult run(TraceRun traceRun, OutputStream out) {
        return run(traceRun, out, event -> {});
    }

    /**
     * Traces until a stop condition, then closes the session and writes the summary.
     *
     * @param out      receives the events and then the summary; flushed, never closed
     * @param observer also sees every event the session delivers (after it was written), on the polling thread;
     *                 e.g. a demo can call {@link #requestStop} from it once it saw the drop it wants to show
     * @throws dev.packettrace.tracer.TracerException when the tracer cannot start or fails while running
     * @throws UncheckedIOException                   when the output cannot be written (e.g. a closed pipe)
     */
    public RunResult run(TraceRun traceRun, OutputStream out, TraceListener observer) {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("a TraceRunner runs only once; create another for the next run");
        }
        try {
            TimestampFormatter timestamps =
                    new TimestampFormatter(traceRun.output().timestamp(), wallClock);
            EventWriter writer = EventWriter.create(traceRun.output(), out, timestamps);
            Sink sink = new Sink(
                    writer, new TraceSummary(), traceRun.output().limitLines().orElse(Long.MAX_VALUE), observer);
            TraceStats stats;
            Optional<KernelCounts> counts;
            long startNs;
            long endNs;
            Tracer started;
            try {
                started = sessions.start(
                        traceRun.config(), sink, new AttachProgress(status, nanoClock, () -> stopReason.get() != null));
            } catch (TracerException e) {
                if (e.reason() != TracerException.Reason.CANCELLED || stopReason.get() == null) {
                    throw e;
                }
                status.println("Stopped while attaching: " + e.getMessage());
                status.flush();
                return summarize(writer, sink, new TraceStats(0, 0), Optional.empty(), Duration.ZERO);
            }
            try (Tracer session = started) {
                status.println(attachedLine(session));
                status.flush();
                if (traceRun.config().stream().events() != EventStream.Events.NONE) {
                    sink.begin(); // the table's header: none for a summary-only run, which prints no event
                }
                startNs = nanoClock.getAsLong();
                pollUntilStopped(session, sink, traceRun.duration(), startNs);
                StopReason reason = stopReason.get();
                if (sink.failure == null && reason != StopReason.LIMIT) {
                    // Events already queued happened before the stop; show them rather than drop them unseen.
                    session.poll(Duration.ZERO);
                    sink.flush();
                }
                endNs = nanoClock.getAsLong();
                stats = session.stats();
                // after the last poll: every counted hit whose event was streamed has been delivered
                counts = traceRun.config().stream().partial() ? session.kernelCounts() : Optional.empty();
                if (session.backend().probesFunctions()) {
                    // detaching thousands of kprobes waits for RCU grace periods: seconds, not milliseconds
                    status.println("Detaching " + session.attachedProbes().size() + " probes");
                    status.flush();
                }
            }
            return summarize(writer, sink, stats, counts, Duration.ofNanos(Math.max(0, endNs - startNs)));
        } finally {
            finished.countDown();
        }
    }

    /** From the kernel's counts when the trace streamed only some matched hits, else from the events received. */
    private RunResult summarize(
            EventWriter writer, Sink sink, TraceStats stats, Optional<KernelCounts> counts, Duration elapsed) {
        sink.throwIfFailed();
        TraceSummary.Report report = counts.map(
                        c -> sink.summary.report(c, sink.printed, stats, stopReason.get(), elapsed))
                .orElseGet(() -> sink.summary.report(sink.printed, stats, stopReason.get(), elapsed));
        try {
            writer.writeSummary(report);
            writer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write output: " + e.getMessage(), e);
        }
        return new RunResult(report.stoppedBy(), report);
    }

    private void pollUntilStopped(Tracer session, Sink sink, Optional<Duration> duration, long startNs) {
        long durationNs = duration.map(Duration::toNanos).orElse(Long.MAX_VALUE);
        while (stopReason.get() == null && sink.failure == null) {
            long remaining = durationNs - (nanoClock.getAsLong() - startNs);
            if (remaining <= 0) {
                requestStop(StopReason.DURATION);
                break;
            }
            Duration timeout = remaining < POLL_INTERVAL.toNanos() ? Duration.ofNanos(remaining) : POLL_INTERVAL;
            if (session.poll(timeout) > 0) {
                sink.flush();
            }
        }
    }

    /** "Attached 1530 probes (ignored 12) with the kprobe backend (why) in 4200 ms", like pwru's "Attached (ignored 12)". */
    static String attachedLine(Tracer session) {
        int n = session.attachedProbes().size();
        int ignored = session.ignoredProbes().size();
        String reason = session.backendReason().isBlank() ? "" : " (" + session.backendReason() + ")";
        return "Attached " + n + (n == 1 ? " probe" : " probes") + (ignored > 0 ? " (ignored " + ignored + ")" : "")
                + " with the " + session.backend().flagName() + " backend" + reason + " in "
                + session.attachTime().toMillis() + " ms";
    }

    /** Asks the run to stop, for the reason {@link StopReason#REQUESTED}. */
    public void requestStop() {
        requestStop(StopReason.REQUESTED);
    }

    /** Asks the run to stop; the first reason given is the one reported. Safe from any thread, idempotent. */
    public void requestStop(StopReason reason) {
        stopReason.compareAndSet(null, Objects.requireNonNull(reason, "reason"));
    }

    /** The reason of the first stop request so far. */
    public Optional<StopReason> stopReason() {
        return Optional.ofNullable(stopReason.get());
    }

    /**
     * Waits until {@link #run} has returned (session closed, summary written). Returns true at once if the run
     * never started, false if the timeout passed first.
     */
    public boolean awaitFinished(Duration timeout) throws InterruptedException {
        if (!started.get()) {
            return true;
        }
        return finished.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Writes, counts and enforces the line limit; remembers the first output failure instead of throwing it
     * through the tracer's poll. */
    private final class Sink implements TraceListener {
        private final EventWriter writer;
        private final TraceSummary summary;
        private final long limit;
        private final TraceListener observer;
        private long printed;
        private IOException failure;

        Sink(EventWriter writer, TraceSummary summary, long limit, TraceListener observer) {
            this.writer = writer;
            this.summary = summary;
            this.limit = limit;
            this.observer = observer;
        }

        @Override
        public void onEvent(PacketEvent event) {
            summary.record(event);
            if (failure == null && printed < limit) {
                try {
                    writer.write(event);
                    printed++;
                } catch (IOException e) {
                    failure = e;
                }
                if (printed == limit) {
                    requestStop(StopReason.LIMIT);
                }
            }
            observer.onEvent(event);
        }

        void begin() {
            try {
                writer.begin();
                writer.flush();
            } catch (IOException e) {
                failure = e;
            }
        }

        void flush() {
            if (failure == null) {
                try {
                    writer.flush();
                } catch (IOException e) {
                    failure = e;
                }
            }
        }

        void throwIfFailed() {
            if (failure != null) {
                throw new UncheckedIOException("cannot write output: " + failure.getMessage(), failure);
            }
        }
    }
}
