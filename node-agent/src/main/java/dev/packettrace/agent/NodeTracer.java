// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import dev.packettrace.tracer.Backend;
import dev.packettrace.tracer.KernelCounts;
import dev.packettrace.tracer.TraceStats;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the agent needs from the one tracer it runs for all traces on its node: the API of
 * {@link dev.packettrace.tracer.TracerSession} as an interface, so that the agent's behaviour against the
 * Kubernetes API can be tested with a scripted tracer. {@link NodeTracerFactory#kernel()} gives the real one.
 */
public interface NodeTracer extends AutoCloseable {

    Backend backend();

    List<String> attachedProbes();

    /** Replaces the traced network namespaces without reattaching (the session started with a namespace filter). */
    void setNetns(Set<Long> inodes);

    /** Waits up to timeout for events and delivers them to the listener given at start; returns how many. */
    int poll(Duration timeout);

    /** Delivers what is waiting now, without blocking (before a restart or close, so nothing is left behind). */
    int drain();

    /** Events delivered and events the kernel could not queue, since this tracer started. */
    TraceStats stats();

    /** The kernel's cumulative counts since this tracer started, when it was started with kernel counts. */
    default Optional<KernelCounts> kernelCounts() {
        return Optional.empty();
    }

    /** Detaches every probe; harmless when already closed. */
    @Override
    void close();
}
