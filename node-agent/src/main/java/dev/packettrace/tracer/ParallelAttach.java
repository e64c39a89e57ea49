// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs attach jobs on a few threads. Attaching is syscalls that wait on the kernel (text patching, the
 * verifier), so a few run side by side. Jobs hand what they create to the {@link FunctionProbes} at once;
 * this class only guarantees that when {@link #run} returns, no job is still running, so that the caller
 * can close the probes knowing nothing will be added afterwards.
 */
final class ParallelAttach {

    private ParallelAttach() {}

    /** Up to four threads: beyond that the kernel's locks around text patching serialize them anyway. */
    static int defaultThreads() {
        return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Runs every job and waits for all of them. The first failure stops the others (at their next
     * {@link FunctionProbes#checkContinue}) and is rethrown; an interrupt of the calling thread stops them
     * too and ends in a CANCELLED {@link TracerException}.
     */
    static void run(List<Runnable> jobs, int threads, FunctionProbes probes) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        boolean interrupted;
        try (ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads), workers())) {
            for (Runnable job : jobs) {
                pool.execute(() -> {
                    try {
                        probes.checkContinue();
                        job.run();
                    } catch (FunctionProbes.AttachStopped quiet) {
                        // another job failed first; its failure is the one reported
                    } catch (RuntimeException | Error e) {
                        if (failure.compareAndSet(null, e)) {
                            probes.stop();
                        } else if (failure.get() != e) {
                            failure.get().addSuppressed(e);
                        }
                    }
                });
            }
            // ExecutorService.close waits for every running job even when interrupted (it then cancels
            // the jobs that have not started, and the running ones see the interrupt)
        } finally {
            interrupted = Thread.currentThread().isInterrupted();
        }
        Throwable first = failure.get();
        if (first instanceof RuntimeException r) {
            throw r;
        }
        if (first instanceof Error e) {
            throw e;
        }
        if (interrupted) {
            throw new TracerException(
                    TracerException.Reason.CANCELLED,
                    "interrupted while attaching " + probes.backend().flagName()
                            + " probes; everything attached was detached");
        }
    }

    private static ThreadFactory workers() {
        AtomicInteger n = new AtomicInteger();
        return task -> {
            Thread t = new Thread(task, "packettrace-attach-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
