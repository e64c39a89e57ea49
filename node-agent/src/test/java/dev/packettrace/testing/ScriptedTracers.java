// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.testing;

import dev.packettrace.tracer.PacketEvent;
import dev.packettrace.tracer.TraceListener;
import dev.packettrace.tracer.TracerConfig;
import dev.packettrace.tracer.TracerException;
import dev.packettrace.tracer.TracerFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Starts {@link ScriptedTracer}s and remembers each: the code under test starts its tracers itself (the agent
 * restarts them as traces come and go), so this is how a test gets hold of them to send packets and to inspect
 * what was loaded and whether it was closed.
 */
public final class ScriptedTracers implements TracerFactory {

    private final BiFunction<TracerConfig, TraceListener, ScriptedTracer> mode;
    private final long lostAtStart;
    private final List<ScriptedTracer> started = new CopyOnWriteArrayList<>();
    private volatile String failWith;

    private ScriptedTracers(BiFunction<TracerConfig, TraceListener, ScriptedTracer> mode, long lostAtStart) {
        this.mode = mode;
        this.lostAtStart = lostAtStart;
    }

    /** Tracers in {@link ScriptedTracer#wire} mode. */
    public static ScriptedTracers wire() {
        return new ScriptedTracers(ScriptedTracer::wire, 0);
    }

    /** Tracers in {@link ScriptedTracer#scripted} mode, all playing the same script. */
    public static ScriptedTracers scripted(Consumer<Duration> timePasses, IntFunction<List<PacketEvent>> script) {
        return scripted(timePasses, script, 0);
    }

    /** As {@link #scripted(Consumer, IntFunction)}, each tracer having lost that many events from the start. */
    public static ScriptedTracers scripted(
            Consumer<Duration> timePasses, IntFunction<List<PacketEvent>> script, long lost) {
        return new ScriptedTracers(
                (config, listener) -> ScriptedTracer.scripted(config, listener, timePasses, script), lost);
    }

    @Override
    public ScriptedTracer start(TracerConfig config, TraceListener listener) {
        if (failWith != null) {
            throw new TracerException(TracerException.Reason.PERMISSION, failWith);
        }
        ScriptedTracer t = mode.apply(config, listener);
        t.lose(lostAtStart);
        started.add(t);
        return t;
    }

    /** Every later start fails like the kernel refusing the program. */
    public void failStarts(String message) {
        failWith = message;
    }

    public List<ScriptedTracer> started() {
        return List.copyOf(started);
    }

    /** The tracer started last, which is the running one unless it was closed. */
    public ScriptedTracer current() {
        if (started.isEmpty()) {
            throw new AssertionError("no tracer was started");
        }
        return started.getLast();
    }

    public boolean anyRunning() {
        return started.stream().anyMatch(t -> !t.closed());
    }
}
