package dev.packettrace.cli;

import dev.packettrace.tracer.Backend;
import dev.packettrace.tracer.TraceStats;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What {@link TraceRunner} needs from a started tracer: the API of {@link dev.packettrace.tracer.TracerSession}
 * as an interface, because that class is final and the runner's stop conditions and output are tested with a
 * scripted session. {@link SessionFactory#kernel()} adapts the real one.
 */
public interface TracingSession extends AutoCloseable {

    List<String> attachedProbes();

    /** Probes the backend tried but the kernel refused, with its answer; they are skipped, not fatal. */
    default Map<String, String> ignoredProbes() {
        return Map.of();
    }

    Backend backend();

    String backendReason();

    Duration attachTime();

    /** Waits up to timeout for events and delivers them to the listener given at start; returns how many. */
    int poll(Duration timeout);

    TraceStats stats();

    /** Detaches every probe; must not throw for a session that was already closed. */
    @Override
    void close();
}
