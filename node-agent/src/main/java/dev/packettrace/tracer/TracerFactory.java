// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

/**
 * Starts a tracer. The CLI and the node agent take one instead of calling {@link TracerSession#start} so that
 * their tests can pass a scripted tracer; {@link #kernel()} is the real one.
 */
@FunctionalInterface
public interface TracerFactory {

    /** Loads and attaches; throws {@link TracerException} when that fails. */
    Tracer start(TracerConfig config, TraceListener listener);

    /**
     * As {@link #start(TracerConfig, TraceListener)}, reporting attach progress to the monitor, which may cancel
     * (then a {@link TracerException} with reason CANCELLED is thrown and nothing stays attached). Attaching
     * thousands of functions takes long enough for the CLI to show progress and honour Ctrl-C; factories that
     * attach at once ignore the monitor.
     */
    default Tracer start(TracerConfig config, TraceListener listener, AttachMonitor monitor) {
        return start(config, listener);
    }

    /** The kernel tracer, {@link TracerSession#start}, with the monitor passed on when there is one. */
    static TracerFactory kernel() {
        return new TracerFactory() {
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
