// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything one function-level backend put into the kernel: its BPF objects and their links. Attaching
 * threads hand each object and link over the moment it exists, so whatever happens next (a refused
 * function, a failed batch, a cancellation, an interrupt) closing this detaches and frees all of it.
 *
 * <p>Thread-safe. Closing detaches the links, newest first, then closes the objects.
 */
final class FunctionProbes implements AutoCloseable {

    private final Backend backend;
    private final AttachMonitor monitor;
    private final int total;
    private final List<AutoCloseable> objects = new ArrayList<>();
    private final List<AutoCloseable> links = new ArrayList<>();
    private final List<String> attached = new ArrayList<>();
    private final Map<String, String> ignored = new TreeMap<>();
    private final List<Integer> programIds = new ArrayList<>();
    private volatile boolean stopped;
    private boolean closed;

    /**
     * @param total how many functions the backend will try, for progress reports
     */
    FunctionProbes(Backend backend, AttachMonitor monitor, int total) {
        this.backend = backend;
        this.monitor = monitor;
        this.total = total;
    }

    Backend backend() {
        return backend;
    }

    /** Takes ownership of a BPF object (or anything that unloads programs when closed). */
    void ownObject(AutoCloseable object) {
        synchronized (this) {
            if (!closed) {
                objects.add(object);
                return;
            }
        }
        closeLate(object);
    }

    /** Takes ownership of a link that attached the given functions. */
    void ownLink(AutoCloseable link, List<String> functions) {
        synchronized (this) {
            if (!closed) {
                links.add(link);
                attached.addAll(functions);
                report();
                return;
            }
        }
        closeLate(link);
    }

    /** Records a function the kernel refused; the backend goes on without it. */
    synchronized void ignore(String function, String why) {
        ignored.put(function, why);
        report();
    }

    synchronized void addProgramId(int id) {
        programIds.add(id);
    }

    /**
     * Throws when attaching must stop: the monitor cancelled, the thread was interrupted, or another
     * attaching thread failed ({@link #stop}).
     */
    void checkContinue() {
        if (monitor.cancelled() || Thread.currentThread().isInterrupted()) {
            stopped = true;
            throw new TracerException(
                    TracerException.Reason.CANCELLED,
                    "stopped while attaching " + backend.flagName() + " probes (" + attachedCount() + " of " + total
                            + " attached); everything attached was detached");
        }
        if (stopped) {
            throw new AttachStopped();
        }
    }

    /** Makes every other attaching thread stop at its next {@link #checkContinue}. */
    void stop() {
        stopped = true;
    }

    synchronized int attachedCount() {
        return attached.size();
    }

    synchronized int ignoredCount() {
        return ignored.size();
    }

    /** Functions attached so far, in the order they were attached. */
    synchronized List<String> attachedFunctions() {
        return List.copyOf(attached);
    }

    /** Refused functions with the kernel's reason, by name. */
    synchronized Map<String, String> ignored() {
        return Collections.unmodifiableMap(new TreeMap<>(ignored));
    }

    synchronized List<Integer> programIds() {
        return List.copyOf(programIds);
    }

    int total() {
        return total;
    }

    /**
     * Detaches every link, then unloads the objects. Links are detached on several threads: detaching a kprobe
     * waits for an RCU grace period, and waits of several threads overlap instead of adding up (1,500 kprobes
     * one by one take minutes on a slow machine). Returns only when all are detached, even if interrupted.
     */
    @Override
    public void close() {
        List<AutoCloseable> linksNewestFirst = new ArrayList<>();
        List<AutoCloseable> objectsNewestFirst = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            stopped = true;
            for (int i = links.size() - 1; i >= 0; i--) {
                linksNewestFirst.add(links.get(i));
            }
            for (int i = objects.size() - 1; i >= 0; i--) {
                objectsNewestFirst.add(objects.get(i));
            }
        }
        List<Exception> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        ParallelClose.closeAll(linksNewestFirst, ParallelAttach.defaultThreads(), failures);
        for (AutoCloseable object : objectsNewestFirst) {
            try {
                object.close();
            } catch (Exception e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            RuntimeException first = failures.getFirst() instanceof RuntimeException r
                    ? r
                    : new IllegalStateException(failures.getFirst());
            failures.stream().skip(1).forEach(first::addSuppressed);
            throw first;
        }
    }

    private void report() {
        monitor.progress(backend, attached.size() + ignored.size(), ignored.size(), total);
    }

    /** A thread that attached something after close() (it was running when close was called) detaches it itself. */
    private static void closeLate(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            System.getLogger(FunctionProbes.class.getName())
                    .log(System.Logger.Level.WARNING, "detach=failed after=close error=\"{0}\"", e.getMessage());
        }
    }

    /** Another attaching thread failed; this one stops quietly (the first failure is the one reported). */
    static final class AttachStopped extends RuntimeException {
        AttachStopped() {
            super("attaching stopped because another attaching thread failed", null, false, false);
        }
    }
}
