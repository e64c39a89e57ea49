// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A started tracer as its users see it: {@link TracerSession} is the kernel one; the CLI's runner is
 * also tested with scripted ones.
 */
public interface Tracer extends AutoCloseable {

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

    /** What the kernel counted, when the session keeps kernel counts ({@link EventStream#kernelCounts()}). */
    default Optional<KernelCounts> kernelCounts() {
        return Optional.empty();
    }

    /** Detaches every probe; must not throw for a session that was already closed. */
    @Override
    void close();
}
