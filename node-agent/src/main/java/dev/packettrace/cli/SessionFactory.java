package dev.packettrace.cli;

import dev.packettrace.tracer.AttachMonitor;
import dev.packettrace.tracer.Backend;
import dev.packettrace.tracer.TraceListener;
import dev.packettrace.tracer.TraceStats;
import dev.packettrace.tracer.TracerConfig;
import dev.packettrace.tracer.TracerSession;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Starts a tracer. The real one loads BPF into the kernel; tests pass a scripted one. */
@FunctionalInterface
public interface SessionFactory {

    /** Loads and attaches; throws {@link dev.packettrace.tracer.TracerException} when that fails. */
    TracingSession start(TracerConfig config, TraceListener listener);

    /**
     * As {@link #start(TracerConfig, TraceListener)}, reporting attach progress to the monitor, which may cancel
     * (then a {@link dev.packettrace.tracer.TracerException} with reason CANCELLED is thrown and nothing stays
     * attached). Factories that attach at once ignore the monitor.
     */
    default TracingSession start(TracerConfig config, TraceListener listener, AttachMonitor monitor) {
        return start(config, listener);
    }

    /** The kernel tracer, {@link TracerSession#start}. */
    static SessionFactory kernel() {
        return new SessionFactory() {
            @Override
            public TracingSession start(TracerConfig config, TraceListener listener) {
                return new KernelSession(TracerSession.start(config, listener));
            }

            @Override
            public TracingSession start(TracerConfig config, TraceListener listener, AttachMonitor monitor) {
                return new KernelSession(TracerSession.start(config, listener, monitor));
            }
        };
    }

    /** Delegates to a {@link TracerSession}. */
    record KernelSession(TracerSession session) implements TracingSession {

        @Override
        public List<String> attachedProbes() {
            return session.attachedProbes();
        }

        @Override
        public Map<String, String> ignoredProbes() {
            return session.ignoredFunctions();
        }

        @Override
        public Backend backend() {
            return session.backend();
        }

        @Override
        public String backendReason() {
            return session.backendReason();
        }

        @Override
        public Duration attachTime() {
            return session.attachTime();
        }

        @Override
        public int poll(Duration timeout) {
            return session.poll(timeout);
        }

        @Override
        public TraceStats stats() {
            return session.stats();
        }

        @Override
        public void close() {
            session.close();
        }
    }
}
