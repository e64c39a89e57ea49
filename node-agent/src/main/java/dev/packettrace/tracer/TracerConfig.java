package dev.packettrace.tracer;

/**
 * Everything needed to load and attach one tracer.
 *
 * @param ringBufferBytes size of the BPF ring buffer; a power of two, at least one page. Events that
 *                        do not fit are counted as lost, never dropped silently.
 */
public record TracerConfig(TraceFilter filter, Backend backend, boolean captureStack, int ringBufferBytes) {

    public static final int DEFAULT_RING_BUFFER_BYTES = 8 << 20;
    public static final int MIN_RING_BUFFER_BYTES = 4096;
    public static final int MAX_RING_BUFFER_BYTES = 1 << 30;

    public TracerConfig {
        if (ringBufferBytes < MIN_RING_BUFFER_BYTES || ringBufferBytes > MAX_RING_BUFFER_BYTES
                || Integer.bitCount(ringBufferBytes) != 1) {
            throw new IllegalArgumentException("ring buffer size " + ringBufferBytes
                    + " must be a power of two between " + MIN_RING_BUFFER_BYTES + " and " + MAX_RING_BUFFER_BYTES);
        }
    }

    public static TracerConfig of(TraceFilter filter) {
        return new TracerConfig(filter, Backend.AUTO, false, DEFAULT_RING_BUFFER_BYTES);
    }
}
