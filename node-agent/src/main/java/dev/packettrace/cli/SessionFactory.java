package dev.packettrace.cli;

import dev.packettrace.tracer.TraceListener;
import dev.packettrace.tracer.Tracer;
import dev.packettrace.tracer.TracerConfig;
import dev.packettrace.tracer.TracerSession;

/** Starts a tracer. The real one loads BPF into the kernel; tests pass a scripted one. */
@FunctionalInterface
public interface SessionFactory {

    /** Loads and attaches; throws {@link dev.packettrace.tracer.TracerException} when that fails. */
    Tracer start(TracerConfig config, TraceListener listener);

    /** The kernel tracer, {@link TracerSession#start}. */
    static SessionFactory kernel() {
        return TracerSession::start;
    }
}
