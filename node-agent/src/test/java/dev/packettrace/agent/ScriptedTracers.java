// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import dev.packettrace.tracer.TraceListener;
import dev.packettrace.tracer.TracerConfig;
import dev.packettrace.tracer.TracerException;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Starts {@link ScriptedTracer}s and remembers each, so a test can send packets and inspect what the agent loaded. */
final class ScriptedTracers implements NodeTracerFactory {

    private final List<ScriptedTracer> started = new CopyOnWriteArrayList<>();
    private volatile String failWith;

    @Override
    public NodeTracer start(TracerConfig config, TraceListener listener) {
        if (failWith != null) {
            throw new TracerException(TracerException.Reason.PERMISSION, failWith);
        }
        ScriptedTracer t = new ScriptedTracer(config, listener);
        started.add(t);
        return t;
    }

    /** Every later start fails like the kernel refusing the program. */
    void failStarts(String message) {
        failWith = message;
    }

    List<ScriptedTracer> started() {
        return List.copyOf(started);
    }

    /** The tracer started last, which is the running one unless it was closed. */
    ScriptedTracer current() {
        if (started.isEmpty()) {
            throw new AssertionError("no tracer was started");
        }
        return started.getLast();
    }

    boolean anyRunning() {
        return started.stream().anyMatch(t -> !t.closed());
    }
}
