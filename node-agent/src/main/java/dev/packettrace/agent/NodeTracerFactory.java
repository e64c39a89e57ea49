// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.agent;

import dev.packettrace.tracer.Backend;
import dev.packettrace.tracer.TraceListener;
import dev.packettrace.tracer.KernelCounts;
import dev.packettrace.tracer.TraceStats;
import dev.packettrace.tracer.TracerConfig;
import dev.packettrace.tracer.TracerSession;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Starts the node's tracer. */
@FunctionalInterface
public interface NodeTracerFactory {

    /** Loads and attaches; throws {@link dev.packettrace.tracer.TracerException} when that fails. */
    NodeTracer start(TracerConfig config, TraceListener listener);

    /** The kernel tracer ({@link TracerSession}). */
    static NodeTracerFactory kernel() {
        return (config, listener) -> new Kernel(TracerSession.start(config, listener));
    }

    /** Delegates to a {@link TracerSession}. */
    record Kernel(TracerSession session) implements NodeTracer {

        @Override
        public Backend backend() {
            return session.backend();
        }

        @Override
        public List<String> attachedProbes() {
            return session.attachedProbes();
        }

        @Override
        public void setNetns(Set<Long> inodes) {
            session.setNetnsFilter(inodes);
        }

        @Override
        public int poll(Duration timeout) {
            return session.poll(timeout);
        }

        @Override
        public int drain() {
            return session.drain();
        }

        @Override
        public TraceStats stats() {
            return session.stats();
        }

        @Override
        public Optional<KernelCounts> kernelCounts() {
            return session.kernelCounts();
        }

        @Override
        public void close() {
            session.close();
        }
    }
}
