// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A started tracer as the CLI and the node agent see it, so both can run against a scripted one in tests;
 * {@link TracerSession} is the kernel one and {@link TracerFactory#kernel()} starts it.
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

    /**
     * Delivers what is waiting now, without blocking, so nothing captured is lost when the tracer is about to
     * be restarted or closed. A poll with a zero timeout does exactly that unless the tracer can do better.
     */
    default int drain() {
        return poll(Duration.ZERO);
    }

    /**
     * Replaces the traced network namespaces without reattaching, so the node agent can follow pods as they come
     * and go. Only tracers started with a namespace filter can be narrowed: one started without traces every
     * namespace. The CLI traces fixed namespaces for its whole run, so its tracers need not support it.
     */
    default void setNetns(Set<Long> inodes) {
        throw new UnsupportedOperationException(
                getClass().getSimpleName() + " cannot change its namespaces while tracing");
    }

    TraceStats stats();

    /** What the kernel counted, when the session keeps kernel counts ({@link EventStream#kernelCounts()}). */
    default Optional<KernelCounts> kernelCounts() {
        return Optional.empty();
    }

    /** Detaches every probe; must not throw for a session that was already closed. */
    @Override
    void close();
}
