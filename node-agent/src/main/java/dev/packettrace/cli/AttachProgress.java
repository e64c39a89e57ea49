// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.cli;

import dev.packettrace.tracer.AttachMonitor;
import dev.packettrace.tracer.Backend;
import java.io.PrintStream;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Shows how attaching thousands of function probes progresses, one status line at most every
 * {@link #INTERVAL} and one when all are done, and cancels the attach once the run was asked to stop
 * (Ctrl-C while attaching must not wait for every kprobe).
 */
final class AttachProgress implements AttachMonitor {

    static final Duration INTERVAL = Duration.ofSeconds(1);

    private final PrintStream status;
    private final LongSupplier nanoClock;
    private final BooleanSupplier stopRequested;
    private long lastPrintNs;
    private boolean printedAny;

    AttachProgress(PrintStream status, LongSupplier nanoClock, BooleanSupplier stopRequested) {
        this.status = status;
        this.nanoClock = nanoClock;
        this.stopRequested = stopRequested;
        this.lastPrintNs = nanoClock.getAsLong();
    }

    @Override
    public synchronized void progress(Backend backend, int done, int ignored, int total) {
        long now = nanoClock.getAsLong();
        boolean finished = done == total;
        if (!finished && now - lastPrintNs < INTERVAL.toNanos()) {
            return;
        }
        if (finished && !printedAny) {
            return; // quick enough that the "Attached" line says it all
        }
        lastPrintNs = now;
        printedAny = true;
        status.println("Attaching " + backend.flagName() + " probes: " + done + "/" + total
                + (ignored > 0 ? " (ignored " + ignored + ")" : ""));
        status.flush();
    }

    @Override
    public boolean cancelled() {
        return stopRequested.getAsBoolean();
    }
}
