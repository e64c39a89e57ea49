package dev.packettrace.tracer;

import java.time.Duration;
import java.util.List;

/**
 * One loaded and attached tracer. Closing it detaches every probe and frees every kernel object it
 * created; if the process dies instead, the kernel does the same when the file descriptors close.
 *
 * <pre>{@code
 * try (TracerSession s = TracerSession.start(config, listener)) {
 *     while (!done) s.poll(Duration.ofMillis(100));
 * }
 * }</pre>
 */
public final class TracerSession implements AutoCloseable {

    /** Loads the BPF object with the filter, attaches the backend's probes. */
    public static TracerSession start(TracerConfig config, TraceListener listener) {
        throw new UnsupportedOperationException("being written");
    }

    /** Names of the attached probes, e.g. "skb:kfree_skb". */
    public List<String> attachedProbes() {
        throw new UnsupportedOperationException("being written");
    }

    /** The backend in use (never AUTO) and, for AUTO, why it was chosen. */
    public Backend backend() {
        throw new UnsupportedOperationException("being written");
    }

    public String backendReason() {
        throw new UnsupportedOperationException("being written");
    }

    /** How long loading and attaching took. */
    public Duration attachTime() {
        throw new UnsupportedOperationException("being written");
    }

    /** Waits up to timeout for events and delivers them to the listener; returns how many. */
    public int poll(Duration timeout) {
        throw new UnsupportedOperationException("being written");
    }

    public TraceStats stats() {
        throw new UnsupportedOperationException("being written");
    }

    @Override
    public void close() {
    }
}
