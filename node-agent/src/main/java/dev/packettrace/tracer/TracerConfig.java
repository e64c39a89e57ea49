// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.tracer;

import java.util.Objects;

/**
 * Everything needed to load and attach one tracer.
 *
 * @param ringBufferBytes size of the BPF ring buffer; a power of two, at least one page. Events that
 *                        do not fit are counted as lost, never dropped silently.
 * @param outputCaller    function probes report the function that called the probed one
 * @param functionFilter  which kernel functions the function-level backends probe (--filter-func)
 * @param expressions     the pcap-filter expressions the kernel evaluates: the filter's own, or those of the
 *                        node agent's traces
 * @param stream          which matched hits become events, and whether the kernel counts them
 */
public record TracerConfig(
        TraceFilter filter,
        Backend backend,
        boolean captureStack,
        int ringBufferBytes,
        boolean outputCaller,
        FunctionFilter functionFilter,
        ExpressionSlots expressions,
        EventStream stream) {

    public static final int DEFAULT_RING_BUFFER_BYTES = 8 << 20;
    public static final int MIN_RING_BUFFER_BYTES = 4096;
    public static final int MAX_RING_BUFFER_BYTES = 1 << 30;

    public TracerConfig {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(functionFilter, "functionFilter");
        Objects.requireNonNull(expressions, "expressions");
        Objects.requireNonNull(stream, "stream");
        if (filter.expression().isPresent()
                && !expressions.filters().contains(filter.expression().get())) {
            throw new IllegalArgumentException("the filter's expression '"
                    + filter.expression().get() + "' is not among the expressions the kernel evaluates");
        }
        if (ringBufferBytes < MIN_RING_BUFFER_BYTES
                || ringBufferBytes > MAX_RING_BUFFER_BYTES
                || Integer.bitCount(ringBufferBytes) != 1) {
            throw new IllegalArgumentException("ring buffer size " + ringBufferBytes
                    + " must be a power of two between " + MIN_RING_BUFFER_BYTES + " and " + MAX_RING_BUFFER_BYTES);
        }
    }

    /** Every matched hit is an event. */
    public TracerConfig(
            TraceFilter filter,
            Backend backend,
            boolean captureStack,
            int ringBufferBytes,
            boolean outputCaller,
            FunctionFilter functionFilter,
            ExpressionSlots expressions) {
        this(
                filter,
                backend,
                captureStack,
                ringBufferBytes,
                outputCaller,
                functionFilter,
                expressions,
                EventStream.ALL);
    }

    /** The kernel evaluates the filter's own expression, if it has one. */
    public TracerConfig(
            TraceFilter filter,
            Backend backend,
            boolean captureStack,
            int ringBufferBytes,
            boolean outputCaller,
            FunctionFilter functionFilter) {
        this(filter, backend, captureStack, ringBufferBytes, outputCaller, functionFilter, ExpressionSlots.of(filter));
    }

    /** Every function, no caller. */
    public TracerConfig(TraceFilter filter, Backend backend, boolean captureStack, int ringBufferBytes) {
        this(filter, backend, captureStack, ringBufferBytes, false, FunctionFilter.all());
    }

    public static TracerConfig of(TraceFilter filter) {
        return new TracerConfig(filter, Backend.AUTO, false, DEFAULT_RING_BUFFER_BYTES);
    }

    public TracerConfig withBackend(Backend other) {
        return new TracerConfig(
                filter, other, captureStack, ringBufferBytes, outputCaller, functionFilter, expressions, stream);
    }

    public TracerConfig withExpressions(ExpressionSlots slots) {
        return new TracerConfig(
                filter, backend, captureStack, ringBufferBytes, outputCaller, functionFilter, slots, stream);
    }

    public TracerConfig withStream(EventStream other) {
        return new TracerConfig(
                filter, backend, captureStack, ringBufferBytes, outputCaller, functionFilter, expressions, other);
    }
}
