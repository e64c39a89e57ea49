// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.cli;

import dev.packettrace.tracer.AttachMonitor;
import dev.packettrace.tracer.TraceListener;
import dev.packettrace.tracer.Tracer;
import dev.packettrace.tracer.TracerConfig;
import dev.packettrace.tracer.TracerSession;

/** Starts a tracer. The real one loads BPF into the kernel; tests pass a scripted one. */
@FunctionalInterface
public interface SessionFactory {

    /** Loads and attaches; throws {@link dev.packettrace.tracer.TracerException} when that fails. */
    Tracer start(TracerConfig config, TraceListener listener);

    /**
     * As {@link #start(TracerConfig, TraceListener)}, reporting attach progress to the monitor, which may cancel
     * (then a {@link dev.packettrace.tracer.TracerException} with reason CANCELLED is thrown and nothing stays
     * attached). Factories that attach at once ignore the monitor.
     */
    default Tracer start(TracerConfig config, TraceListener listener, AttachMonitor monitor) {
        return start(config, listener);
    }

    /** The kernel tracer, {@link TracerSession#start}. */
    static SessionFactory kernel() {
        return new SessionFactory() {
            @Override
            public Tracer start(TracerConfig config, TraceListener listener) {
                return TracerSession.start(config, listener);
            }

            @Override
            public Tracer start(TracerConfig config, TraceListener listener, AttachMonitor monitor) {
                return TracerSession.start(config, listener, monitor);
            }
        };
    }
}
